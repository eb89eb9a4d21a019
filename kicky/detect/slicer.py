"""The tiled pass for small things (the ball): overlapping tiles cut from the frame, the tiles of
several frames batched into one predict() call, their detections moved back to frame coordinates and
merged with the full-frame pass by NMS (supervision). With the tile side equal to the model's res the
tiles are seen at native scale (no resize), as a tiles-trained student learned them.

Two placements: `grid` covers every frame with a regular grid (every pixel in at least one tile);
`roi` follows the ball (`BallTrack`): one tile or a few around a constant-velocity prediction from
the last detections, a search radius growing while it is not seen, and a full grid every `regrid`
frames and, once the ball is lost for `lost` frames, every `lost` frames until it is found again."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Sequence

import numpy as np
import supervision as sv

Predict = Callable[[list], list[sv.Detections]]
Box = tuple[int, int, int, int]          # a tile: x, y, w, h in frame pixels


def _starts(size: int, tile: int, step: int) -> list[int]:
    """Tile starts along one side: every `step` px, the last one flush with the far edge."""
    if size <= tile:
        return [0]
    return [*range(0, size - tile, step), size - tile]


def grid(width: int, height: int, tile: int, overlap: int) -> list[Box]:
    """Tiles covering the whole frame, neighbours sharing at least `overlap` px, all tile x tile
    (a side shorter than the tile gets one tile as long as that side)."""
    step = max(tile - overlap, 1)
    w, h = min(tile, width), min(tile, height)
    return [(x, y, w, h) for y in _starts(height, tile, step) for x in _starts(width, tile, step)]


def tile_grid(width: int, height: int, tile: int, overlap: int) -> int:
    """How many tiles the grid cuts a frame into (for logging and cost estimates)."""
    return len(grid(width, height, tile, overlap))


def region(cx: float, cy: float, radius: float, width: int, height: int, tile: int, overlap: int) -> list[Box]:
    """Tiles covering the square of half-side `radius` around (cx, cy), clipped to the frame: one
    tile centred on the point while 2 x radius fits in it, else a grid over the square."""
    step = max(tile - overlap, 1)

    def side(c: float, size: int) -> tuple[list[int], int]:
        t = min(tile, size)
        a, b = max(c - radius, 0.0), min(c + radius, float(size))
        if b - a <= t:
            return [int(min(max(round((a + b) / 2 - t / 2), 0), size - t))], t
        a0 = int(min(max(np.floor(a), 0), size - t))
        return [min(a0 + s, size - t) for s in _starts(int(np.ceil(b)) - a0, t, step)], t

    xs, w = side(cx, width)
    ys, h = side(cy, height)
    return [(x, y, w, h) for y in ys for x in xs]


def _crop(img, box: Box):
    """A tile view of a frame: HWC numpy, or CHW torch (a frame already on the GPU)."""
    x, y, w, h = box
    return img[y:y + h, x:x + w] if isinstance(img, np.ndarray) else img[:, y:y + h, x:x + w]


def _frame_detections(parts: list[tuple[sv.Detections, Box]], shape: tuple[int, int], iou: float) -> sv.Detections:
    """One frame's tile detections (tile coordinates, with the tile they came from) in frame
    coordinates, duplicates from overlapping tiles removed by per-class box NMS first, so only the
    detections kept get a frame-sized mask."""
    xyxy = np.concatenate([d.xyxy + np.array([x, y, x, y], float) for d, (x, y, _, _) in parts])
    conf = np.concatenate([d.confidence for d, _ in parts])
    cls = np.concatenate([d.class_id for d, _ in parts])
    keep = sv.box_non_max_suppression(np.c_[xyxy, conf, cls], iou_threshold=iou) if len(xyxy) > 1 \
        else np.ones(len(xyxy), bool)
    src = [(d.mask, j, b) for d, b in parts for j in range(len(d))]
    masks = None
    if all(m is not None for m, _, _ in src):
        masks = np.zeros((int(keep.sum()), *shape), bool)
        for k, (m, j, (x, y, w, h)) in enumerate(s for s, kept in zip(src, keep) if kept):
            masks[k, y:y + h, x:x + w] = m[j, :h, :w]
    return sv.Detections(xyxy=xyxy[keep], confidence=conf[keep], class_id=cls[keep], mask=masks)


def tiled(predict: Predict, frames: Sequence, shape: tuple[int, int], boxes: list[list[Box]],
          keep: Sequence[int], iou: float, batch: int | None = None) -> list[sv.Detections]:
    """Detections of classes `keep` from the tiles `boxes[i]` of frame `frames[i]`, in frame
    coordinates, deduplicated across overlapping tiles by NMS (per class). The tiles of all the
    frames go through `predict` together, `batch` tiles a call (None: all in one call). `frames`
    are RGB HWC numpy arrays or CHW torch tensors of frame `shape` (H, W)."""
    jobs = [(i, b) for i, bs in enumerate(boxes) for b in bs]
    per: list[list[tuple[sv.Detections, Box]]] = [[] for _ in frames]
    batch = batch or max(len(jobs), 1)
    keep = np.asarray(list(keep))
    for k in range(0, len(jobs), batch):
        chunk = jobs[k:k + batch]
        for (i, b), det in zip(chunk, predict([_crop(frames[i], b) for i, b in chunk])):
            if len(det):
                det = det[np.isin(det.class_id, keep)]
            if len(det):
                per[i].append((det, b))
    return [_frame_detections(parts, shape, iou) if parts else sv.Detections.empty() for parts in per]


def ball_from_tiles(predict: Predict, frame: np.ndarray, ball_id: int, tile: int, overlap: int,
                    iou: float) -> sv.Detections:
    """Ball detections of one RGB frame from the grid of tiles, in full-frame coordinates (none when
    one tile would be the whole frame: the full-frame pass sees that already)."""
    H, W = frame.shape[:2]
    if tile >= max(H, W):
        return sv.Detections.empty()
    return tiled(predict, [frame], (H, W), [grid(W, H, tile, overlap)], [ball_id], iou)[0]


def merge(full: sv.Detections, tiles: sv.Detections, ids: int | Sequence[int], iou: float) -> sv.Detections:
    """The full-frame pass with its detections of classes `ids` and the tiles' deduplicated by NMS
    (per class); the other classes exactly as the full frame found them."""
    ids = np.atleast_1d(ids)
    if len(tiles):
        tiles = tiles[np.isin(tiles.class_id, ids)]
    if len(tiles) == 0:
        return full
    full.metadata, tiles.metadata = {}, {}
    if len(full) == 0:
        return tiles
    sliced = np.isin(full.class_id, ids)
    both = sv.Detections.merge([full[sliced], tiles]).with_nms(threshold=iou, class_agnostic=False)
    return sv.Detections.merge([full[~sliced], both])


def best_centre(det: sv.Detections, ids: Sequence[int]) -> tuple[float, float] | None:
    """Box centre of the most confident detection of classes `ids`, if any."""
    if len(det) == 0:
        return None
    m = np.isin(det.class_id, np.asarray(list(ids)))
    if not m.any():
        return None
    j = np.flatnonzero(m)[int(np.argmax(det.confidence[m]))]
    x0, y0, x1, y1 = det.xyxy[j]
    return float(x0 + x1) / 2, float(y0 + y1) / 2


@dataclass
class BallTrack:
    """Where the `roi` tiles go, frame by frame. `plan(t)` says which tiles frame t gets (from the
    detections fed to `update` so far), `update(t, centre)` feeds frame t's best detection (or None).

    - tracked (last seen <= `lost` frames ago): tiles around the constant-velocity prediction from the
      last two detections, search radius `radius` + `grow` px for every frame since the last one;
    - a full grid every `regrid` frames, and every `lost` frames while the ball is lost (or not yet
      found: the first frame is a grid); nothing in between while lost."""
    width: int
    height: int
    tile: int
    overlap: int
    radius: float = 96.0
    grow: float = 48.0
    lost: int = 8
    regrid: int = 30
    seen: list[tuple[int, float, float]] = field(default_factory=list)   # last two (t, x, y)
    last_grid: int | None = None

    def predict(self, t: int) -> tuple[float, float, float] | None:
        """Predicted centre and search radius at frame t, or None when the ball is lost."""
        if not self.seen or t - self.seen[-1][0] > self.lost:
            return None
        t1, x1, y1 = self.seen[-1]
        vx = vy = 0.0
        if len(self.seen) == 2 and 0 < t1 - self.seen[0][0] <= self.lost:
            t0, x0, y0 = self.seen[0]
            vx, vy = (x1 - x0) / (t1 - t0), (y1 - y0) / (t1 - t0)
        gap = t - t1
        x = min(max(x1 + vx * gap, 0.0), float(self.width))
        y = min(max(y1 + vy * gap, 0.0), float(self.height))
        return x, y, self.radius + self.grow * max(gap - 1, 0)

    def plan(self, t: int) -> tuple[str, list[Box]]:
        """("grid" | "roi" | "none", the tiles) for frame t."""
        p = self.predict(t)
        since = None if self.last_grid is None else t - self.last_grid
        if since is None or since >= self.regrid or (p is None and since >= self.lost):
            self.last_grid = t
            return "grid", grid(self.width, self.height, self.tile, self.overlap)
        if p is None:
            return "none", []
        return "roi", region(*p, self.width, self.height, self.tile, self.overlap)

    def plan_ahead(self, t: int, n: int) -> list[tuple[str, list[Box]]]:
        """Plans for frames t, t+1, ... (at most n) made before any of their detections is known, so
        their tiles can go through predict() together; it stops after a grid frame, whose result
        the next frames are planned from."""
        out = []
        while len(out) < n:
            out.append(self.plan(t + len(out)))
            if out[-1][0] == "grid":
                break
        return out

    def update(self, t: int, centre: tuple[float, float] | None) -> None:
        if centre is not None:
            self.seen = [*self.seen[-1:], (t, *centre)]
