"""The batched tiled pass: the grid covers every pixel with full-size tiles, the tiles of several
frames go through predict() together, detections come back in exact frame coordinates; ROI tiles
follow a moving ball and fall back to the grid when it is lost. The 'model' is a fake predict callable
that reads where a tile lies in its frame from the pixels (a test of the coordinate maths)."""
import numpy as np
import pytest
import supervision as sv
import torch

from kicky.detect import slicer
from kicky.detect.student import slice_settings
from kicky.errors import KickyError


def coded_frame(W: int, H: int, salt: int = 0) -> np.ndarray:
    """Pixels that say where they are (up to 2048 x 2048, salt 0-2): R = x % 256, G = y % 256,
    B = x // 256 + 8 (y // 256) + 64 salt."""
    y, x = np.mgrid[:H, :W]
    return np.stack([x % 256, y % 256, x // 256 + 8 * (y // 256) + 64 * salt], -1).astype(np.uint8)


def where(tile) -> tuple[int, int, int]:
    """Frame origin of a tile of a coded frame, and the frame's salt."""
    t = tile if isinstance(tile, np.ndarray) else (tile.permute(1, 2, 0) * 255).round().to(torch.uint8).numpy()
    r, g, b = (int(v) for v in t[0, 0])
    return r + 256 * (b % 8), g + 256 * (b % 64 // 8), b // 64


class FakeModel:
    """Sees the ball at `ball[salt]` (frame box) in every tile that holds it whole, plus a player at
    tile-relative (2, 3, 8, 9); records its call sizes."""

    def __init__(self, balls: dict[int, tuple[int, int, int, int]]):
        self.balls, self.calls = balls, []

    def __call__(self, tiles):
        self.calls.append(len(tiles))
        out = []
        for t in tiles:
            h, w = (t.shape[:2] if isinstance(t, np.ndarray) else t.shape[1:])
            x, y, salt = where(t)
            boxes, cls, conf = [[2, 3, 8, 9]], [1], [0.5]
            if salt in self.balls:
                x0, y0, x1, y1 = self.balls[salt]
                if x <= x0 and x1 <= x + w and y <= y0 and y1 <= y + h:
                    boxes.append([x0 - x, y0 - y, x1 - x, y1 - y])
                    cls.append(0)
                    conf.append(0.9)
            m = np.zeros((len(boxes), h, w), bool)
            for k, (a, b, c, d) in enumerate(boxes):
                m[k, b:d, a:c] = True
            out.append(sv.Detections(xyxy=np.array(boxes, float), confidence=np.array(conf), class_id=np.array(cls),
                                     mask=m))
        return out


@pytest.mark.parametrize("W, H, tile, overlap, n", [(1920, 1080, 384, 32, 18), (1920, 1080, 384, 64, 24),
                                                    (320, 180, 160, 32, 6), (1000, 300, 384, 0, 3),
                                                    (200, 100, 384, 32, 1)])
def test_grid_covers_the_frame(W, H, tile, overlap, n):
    boxes = slicer.grid(W, H, tile, overlap)
    assert len(boxes) == n == slicer.tile_grid(W, H, tile, overlap)
    hits = np.zeros((H, W), int)
    for x, y, w, h in boxes:
        assert (w, h) == (min(tile, W), min(tile, H)) and 0 <= x <= W - w and 0 <= y <= H - h
        hits[y:y + h, x:x + w] += 1
    assert hits.min() >= 1                                           # every pixel in at least one tile
    xs = sorted({b[0] for b in boxes})
    assert all(b - a <= tile - overlap for a, b in zip(xs, xs[1:]))   # neighbours share >= overlap px


def test_tiled_pass_maps_back_exactly_and_batches_frames():
    W, H, T = 1920, 1080, 384
    balls = {0: (1000, 500, 1006, 506), 1: (370, 20, 378, 28), 2: (1915, 1075, 1920, 1080)}   # the last in a corner
    frames = [coded_frame(W, H, s) for s in range(3)]
    grid = slicer.grid(W, H, T, 32)
    model = FakeModel(balls)
    dets = slicer.tiled(model, frames, (H, W), [grid] * 3, keep=[0], iou=0.5, batch=None)
    assert model.calls == [3 * len(grid)]                            # every tile of the 3 frames in one call
    for s, d in enumerate(dets):
        assert set(d.class_id) == {0} and len(d) == 1                 # players dropped; duplicates merged by NMS
        assert tuple(d.xyxy[0]) == balls[s]                            # exact frame coordinates
        x0, y0, x1, y1 = balls[s]
        assert d.mask.shape == (1, H, W) and d.mask[0].sum() == (x1 - x0) * (y1 - y0)
        assert d.mask[0, y0:y1, x0:x1].all()
    # every tile-relative box lands at its tile's origin; chunks of 7 tiles a call
    model = FakeModel({})
    players = slicer.tiled(model, frames[:2], (H, W), [grid, grid[:5]], keep=[1], iou=0.99, batch=7)
    assert model.calls == [7, 7, 7, 2]
    got = sorted(map(tuple, players[0].xyxy.astype(int)))
    assert got == sorted((x + 2, y + 3, x + 8, y + 9) for x, y, _, _ in grid) and len(players[1]) == 5
    # the same from CHW float tensors (the frames uploaded once to the device; tiles are views)
    tens = [torch.from_numpy(f).permute(2, 0, 1).float() / 255 for f in frames]
    again = slicer.tiled(FakeModel(balls), tens, (H, W), [grid] * 3, keep=[0], iou=0.5)
    assert [tuple(d.xyxy[0]) for d in again] == [balls[s] for s in range(3)]


def test_merge_takes_only_slice_classes_from_tiles():
    full = FakeModel({0: (10, 10, 16, 16)})([coded_frame(320, 180)])[0]
    tiles = slicer.tiled(FakeModel({0: (100, 50, 106, 56)}), [coded_frame(320, 180)], (180, 320),
                         [slicer.grid(320, 180, 160, 32)], keep=[0, 1], iou=0.5)[0]
    assert (tiles.class_id == 1).sum() == 6                             # a player in every tile ...
    m = slicer.merge(full, tiles, [0], 0.5)
    assert sorted(map(tuple, m[m.class_id == 0].xyxy)) == [(10, 10, 16, 16), (100, 50, 106, 56)]
    assert (m.class_id == 1).sum() == 1                                # ... but only the full frame's is kept


def _follow(track, path, seen=lambda t: True, horizon=1):
    """Run a track over a ball path (frame -> centre), `horizon` frames planned before their updates;
    the 'detector' finds the ball when it is inside a planned tile. Returns per frame (kind, n, found)."""
    out, t0 = [], 0
    while t0 < len(path):
        plans = track.plan_ahead(t0, min(horizon, len(path) - t0))
        ts, t0 = range(t0, t0 + len(plans)), t0 + len(plans)
        for t, (kind, boxes) in zip(ts, plans):
            cx, cy = path[t]
            hit = seen(t) and any(x <= cx - 3 and cx + 3 <= x + w and y <= cy - 3 and cy + 3 <= y + h
                                  for x, y, w, h in boxes)
            track.update(t, (cx, cy) if hit else None)
            out.append((kind, len(boxes), hit))
    return out


@pytest.mark.parametrize("horizon", [1, 4])
def test_roi_follows_a_moving_ball(horizon):
    W, H = 1920, 1080
    path = [(200 + 25 * t, 900 - 8 * t) for t in range(60)]          # 25 px/frame right, 8 up
    track = slicer.BallTrack(W, H, 384, 32, radius=96, grow=48, lost=8, regrid=30)
    res = _follow(track, path, horizon=horizon)
    assert all(hit for _, _, hit in res)                              # found in every frame
    kinds = [k for k, _, _ in res]
    assert kinds[0] == "grid" and kinds.count("grid") == 2 and kinds[30] == "grid"   # frame 0, then every 30
    roi = [n for k, n, _ in res if k == "roi"]
    assert roi and max(roi) <= (1 if horizon == 1 else 4) and sum(roi) < 0.25 * 18 * len(roi)


def test_roi_falls_back_to_the_grid_when_lost():
    W, H = 1920, 1080
    path = [(960, 540)] * 10 + [(300, 200)] * 40                       # it vanishes, then turns up elsewhere
    track = slicer.BallTrack(W, H, 384, 32, radius=96, grow=48, lost=8, regrid=100)
    res = _follow(track, path, seen=lambda t: t < 10 or t >= 25)
    kinds = [k for k, _, _ in res]
    assert kinds[:10] == ["grid"] + ["roi"] * 9                        # tracked
    assert kinds[10:18] == ["roi"] * 8                                 # not seen: searched wider around it
    assert [n for _, n, _ in res[10:18]] == sorted(n for _, n, _ in res[10:18])    # the radius grows
    assert kinds[18] == "grid" and kinds[19:26] == ["none"] * 7 and kinds[26] == "grid"   # lost: a grid every 8
    assert res[26][2] and kinds[27:] == ["roi"] * 23 and all(h for _, _, h in res[26:])  # found, tracked again
    assert track.predict(49)[:2] == (300, 200)


def test_region_tiles():
    assert slicer.region(960, 540, 96, 1920, 1080, 384, 32) == [(768, 348, 384, 384)]     # centred
    assert slicer.region(10, 10, 96, 1920, 1080, 384, 32) == [(0, 0, 384, 384)]            # clamped
    big = slicer.region(960, 540, 400, 1920, 1080, 384, 32)
    hits = np.zeros((1080, 1920), bool)
    for x, y, w, h in big:
        hits[y:y + h, x:x + w] = True
    assert hits[140:940, 560:1360].all() and len(big) == 9
    assert len(slicer.region(960, 540, 5000, 1920, 1080, 384, 32)) == 18                    # no more than the grid


def test_slice_settings():
    s = slice_settings({"enabled": True}, 384, ["ball", "player", "goal"])
    assert s["tile"] == 384 and s["mode"] == "grid" and s["classes"] == ["ball"] and "radius" not in s
    assert slice_settings({"enabled": False}, 384, ["ball"]) is None
    r = slice_settings({"enabled": True, "mode": "roi", "tile": 192, "classes": "ball"}, 384, ["ball"])
    assert r["tile"] == 192 and r["lost"] == 8 and r["classes"] == ["ball"]
    for bad, msg in [({"mode": "zoom"}, "slice.mode='zoom'"), ({"classes": ["net"]}, "slice.classes"),
                     ({"overlap": 400}, r"slice.overlap=400 is out of range"), ({"tiles": 3}, "unknown slice keys")]:
        with pytest.raises(KickyError, match=msg):
            slice_settings({"enabled": True, **bad}, 384, ["ball", "player"])


def test_student_roi_pass_end_to_end(tiny_run):
    """Student.detect in roi mode with the model swapped for a fake that sees the ball in tiles only
    (frames: R = x, G = y, B = frame index): balls come back in frame coordinates, tracked by one
    tile a frame after the first grid, and the timing counts the tiles."""
    from kicky.detect.student import Student
    W, H, T = 256, 192, 24
    path = [(40 + 8 * t, 150 - 4 * t) for t in range(T)]
    y, x = np.mgrid[:H, :W]
    frames = [np.stack([x, y, np.full_like(x, t)], -1).astype(np.uint8) for t in range(T)]

    def fake(images):
        out = []
        for im in images:
            h, w = im.shape[:2]
            x0, y0, t = (int(v) for v in im[0, 0])
            cx, cy = path[t]
            box = [cx - 3 - x0, cy - 3 - y0, cx + 3 - x0, cy + 3 - y0]
            if w == W or not (0 <= box[0] and box[2] <= w and 0 <= box[1] and box[3] <= h):
                out.append(sv.Detections.empty())
                continue
            m = np.zeros((1, h, w), bool)
            m[0, box[1]:box[3], box[0]:box[2]] = True
            out.append(sv.Detections(xyxy=np.array([box], float), confidence=np.array([0.9]), class_id=np.array([0]),
                                     mask=m))
        return out

    s = Student.from_config(tiny_run, {"device": "cpu", "fp16": "auto", "threshold": 0.3, "batch": 8, "sliced": True,
                                       "slice": {"mode": "roi", "radius": 24, "grow": 8, "horizon": 2}})
    assert s.sliced["tile"] == s.run.res == 96
    s._predict = fake
    labels, timing = s.detect(frames)
    for t, insts in enumerate(labels):
        (ball,) = [i for i in insts if i.cls == "ball"]
        cx, cy = path[t]
        assert ball.box == (cx - 3, cy - 3, cx + 3, cy + 3) and ball.mask.shape == (H, W) and ball.area == 36
    grid = slicer.tile_grid(W, H, 96, 32)
    assert timing["grid_frames"] == 1 and timing["roi_frames"] == T - 1
    assert timing["tiles"] == grid + (T - 1) and timing["tiles_per_frame"] == round((grid + T - 1) / T, 3)
    s.sliced = {**s.sliced, "mode": "grid"}
    labels, timing = s.detect(frames)
    assert all(len(f) == 1 for f in labels) and timing["tiles"] == grid * T and timing["grid_frames"] == T
