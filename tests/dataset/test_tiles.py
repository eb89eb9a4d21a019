"""Native-resolution tiles: cut at the frame's own scale, annotations cropped to the tile (boxes
inside, whole instances keep their area, slivers dropped), the ball inside its around_ball tile at
varying offsets, the empty share kept, the same tiles for the same config, whole frames in test."""
import json
import re

import cv2
import numpy as np
import pytest

from kicky.core.instances import Instance
from kicky.core.store import read_labels
from kicky.dataset.build import video_of
from kicky.dataset.tiles import KINDS, Tile, crop_instances, frame_rng, plan_tiles, quotas, tile_settings
from kicky.errors import KickyError
from kicky.io.rle import decode
from kicky.io.video import read_frames

from .test_build import _build

BASE = {"enabled": True, "size": 64, "per_frame": 4, "keep_full": True, "around_ball": 0.5, "around_player": 0.25,
        "random": 0.0, "empty": 0.25, "min_visible": 0.25, "min_visible_px": 40, "seed": 0}
W, H = 320, 180


def _rect(x0, y0, x1, y1):
    m = np.zeros((H, W), bool)
    m[y0:y1, x0:x1] = True
    return m


def _scene():
    return [Instance("ball", _rect(150, 100, 156, 106), 1, "t"), Instance("player", _rect(40, 60, 60, 130), 1, "t"),
            Instance("goal", _rect(200, 10, 310, 60), 1, "t")]


def test_settings_are_checked():
    assert tile_settings({"enabled": False, "size": 0}) is None and tile_settings(None) is None
    s = tile_settings({**BASE, "around_ball": 2, "empty": 2, "around_player": 0})
    assert s["shares"] == {"around_ball": 0.5, "around_player": 0.0, "random": 0.0, "empty": 0.5}
    with pytest.raises(KickyError, match=r"dataset.tiles.size=8 is out of range"):
        tile_settings({**BASE, "size": 8})
    with pytest.raises(KickyError, match="unknown dataset.tiles keys"):
        tile_settings({**BASE, "around_goal": 1})
    with pytest.raises(KickyError, match="all 0"):
        tile_settings({**BASE, **{k: 0 for k in KINDS}})


def test_quotas_keep_the_shares_on_average():
    rng = np.random.default_rng(0)
    shares = {"around_ball": 0.7, "around_player": 0.1, "random": 0.1, "empty": 0.1}
    n = [quotas(4, shares, rng) for _ in range(2000)]
    assert all(sum(q.values()) == 4 for q in n)
    for k, s in shares.items():
        assert abs(np.mean([q[k] for q in n]) - 4 * s) < 0.05, k


def test_plan_is_deterministic_and_places_each_kind():
    t, insts = tile_settings(BASE), _scene()
    occupied = np.logical_or.reduce([i.mask for i in insts])
    plans = [plan_tiles(insts, W, H, t, frame_rng(0, "clip", f)) for f in range(200)]
    assert plans[3] == plan_tiles(insts, W, H, t, frame_rng(0, "clip", 3))          # same key, same tiles
    assert plans[3] != plan_tiles(insts, W, H, t, frame_rng(1, "clip", 3))          # the seed matters
    offsets = set()
    for tiles in plans:
        kinds = [x.kind for x in tiles]
        assert kinds.count("empty") == 1 and kinds.count("around_player") == 1   # 4 x 0.25 each, exactly
        for x in tiles:
            assert (x.w, x.h) == (64, 64) and 0 <= x.x <= W - 64 and 0 <= x.y <= H - 64
            if x.kind == "around_ball":
                assert x.x <= 150 and x.x + 64 >= 156 and x.y <= 100 and x.y + 64 >= 106   # the whole ball inside
                offsets.add((150 - x.x, 100 - x.y))
            if x.kind == "around_player":            # 70 px tall player in a 64 px tile: within his extent
                assert x.x <= 40 and x.x + 64 >= 60 and 60 <= x.y and x.y + 64 <= 130
            if x.kind == "empty":
                assert not occupied[x.y:x.y + 64, x.x:x.x + 64].any()
    assert len(offsets) > 50                                                       # not always centred
    # nothing to place it on: a random tile, named as such
    alone = plan_tiles([], W, H, {**t, "shares": {"around_ball": 1.0, "around_player": 0, "random": 0, "empty": 0}},
                       frame_rng(0, "c", 0))
    assert {x.kind for x in alone} == {"random"}
    full = [Instance("goal", np.ones((H, W), bool), 1, "t")]                          # no empty spot anywhere
    assert {x.kind for x in plan_tiles(full, W, H, {**t, "shares": {**t["shares"], "around_ball": 0, "empty": 1.0,
                                                                      "around_player": 0}}, frame_rng(0, "c", 0))} == {"random"}


def test_crop_instances():
    insts = _scene()
    tile = Tile(130, 80, 64, 64, "around_ball")
    got = {i.cls: i for i in crop_instances(insts, tile, 0.25, 40)}
    assert set(got) == {"ball"}                                   # player and goal are outside
    b = got["ball"]
    assert b.mask.shape == (64, 64) and b.area == insts[0].area    # whole: area preserved
    assert b.box == (20.0, 20.0, 26.0, 26.0)                       # box from the cropped mask, tile coordinates
    # a player cut in half stays (box clipped to the tile); a 2-column sliver of him is dropped
    half = crop_instances(insts, Tile(50, 60, 64, 64, "random"), 0.25, 40)
    p = next(i for i in half if i.cls == "player")
    assert p.box == (0.0, 0.0, 10.0, 64.0) and p.area == 10 * 64
    players = lambda tile, px: [i for i in crop_instances(insts, tile, 0.25, px) if i.cls == "player"]  # noqa: E731
    assert not players(Tile(58, 120, 64, 64, "random"), 40)        # 2 x 10 px: 1.4 % of him and < 40 px
    assert len(players(Tile(58, 70, 64, 64, "random"), 40)) == 1    # 2 x 60 = 120 px >= 40: the px rule keeps it
    assert not players(Tile(58, 70, 64, 64, "random"), 200)        # ... not when the floor is 200 px


TILES = {"dataset.tiles.enabled": "true", "dataset.tiles.size": 96, "dataset.tiles.per_frame": 4,
         "dataset.tiles.around_ball": 0.5, "dataset.tiles.around_player": 0.25, "dataset.tiles.random": 0,
         "dataset.tiles.empty": 0.25, "dataset.sampling.every": 12, "jpeg_quality": 100}


def _tiled(labelled, name, **over):
    over = {**TILES, **over}
    q = over.pop("jpeg_quality")
    return _build(labelled, "classes3", out=labelled / name, **over, **{"dataset.jpeg_quality": q})


@pytest.fixture(scope="module")
def tiled(labelled):
    _tiled(labelled, "tiled")
    return labelled / "tiled"


def test_tiles_dataset_layout(labelled, tiled):
    man = json.loads((tiled / "manifest.json").read_text())
    assert man["tile_settings"]["size"] == 96 and man["tile_settings"]["splits"] == ["train", "valid"]
    labels = {c: read_labels(labelled / "labels" / c / "labels.json")[1] for c in man["splits"]}
    listed = {t["file"]: t for c in man["tiles"].values() for t in c}
    n_tiles = n_empty = 0
    for split in ("train", "valid", "test"):
        coco = json.loads((tiled / split / "_annotations.coco.json").read_text())
        anns = {}
        for a in coco["annotations"]:
            anns.setdefault(a["image_id"], []).append(a)
        tiles = [im for im in coco["images"] if "tile" in im]
        if split == "test":                                    # the evaluation scores whole frames
            assert not tiles and all((im["width"], im["height"]) == (W, H) for im in coco["images"])
            assert not set(man["tiles"]) & {c for c, s in man["splits"].items() if s == "test"}
            continue
        assert tiles and len([im for im in coco["images"] if "tile" not in im]) > 0    # keep_full: frames too
        for im in tiles:
            x, y, w, h = im["tile"]
            assert (w, h) == (im["width"], im["height"]) == (96, 96)
            assert re.fullmatch(rf"{im['clip_id']}_{im['frame']:05d}_x{x:04d}_y{y:04d}\.jpg", im["file_name"])
            assert listed[im["file_name"]]["origin"] == [x, y] and listed[im["file_name"]]["kind"] == im["tile_kind"]
            frame = [i for i in labels[im["clip_id"]][im["frame"]] if i.cls in ("ball", "player", "goal")]
            mine = anns.get(im["id"], [])
            n_tiles += 1
            n_empty += im["tile_kind"] == "empty"
            if im["tile_kind"] == "empty":
                assert not mine
            for a in mine:
                bx, by, bw, bh = a["bbox"]
                assert 0 <= bx and 0 <= by and bx + bw <= 96 and by + bh <= 96        # inside the tile
                m = decode(a["segmentation"])
                src = [i for i in frame if np.array_equal(i.mask[y:y + h, x:x + w], m)]
                assert src, "a tile mask is the crop of a frame mask"
                assert a["area"] == m.sum()
                whole = [i for i in src if i.area == m.sum()]
                vis = m.sum() / src[0].area
                assert whole or vis >= 0.25 or m.sum() >= 256                        # min_visible (defaults)
            if im["tile_kind"] == "around_ball":
                balls = [i for i in frame if i.cls == "ball"]
                x0s = [i.box for i in balls if x <= i.box[0] and i.box[2] <= x + w and y <= i.box[1] and i.box[3] <= y + h]
                assert x0s, "an around_ball tile holds a whole ball"
                assert any(a["category_id"] == 0 and a["area"] == next(b.area for b in balls if b.box in x0s) for a in mine)
    assert n_tiles and 0.2 <= n_empty / n_tiles <= 0.25 + 1e-9


def test_tiles_are_native_scale(labelled, tiled):
    man = json.loads((tiled / "manifest.json").read_text())
    cid, cut = next(iter(man["tiles"].items()))
    split = man["splits"][cid]
    t = cut[0]
    _, frame = next(read_frames(video_of(labelled / "clips", cid), [t["frame"]]))
    tile = cv2.imread(str(tiled / split / t["file"])).astype(int)
    (x, y), (w, h) = t["origin"], t["size"]
    same = np.abs(tile - frame[y:y + h, x:x + w]).mean()
    xs = x + 3 if x + 3 + w <= W else x - 3
    shifted = np.abs(tile - frame[y:y + h, xs:xs + w]).mean()
    squeezed = np.abs(tile - cv2.resize(frame, (w, h), interpolation=cv2.INTER_AREA)).mean()
    assert same < 2.0 and shifted > 2 * same and squeezed > 5 * same, (same, shifted, squeezed)


def test_tiles_are_deterministic_and_keep_full_off(labelled, tiled):
    _tiled(labelled, "tiled_again", workers=2)
    for split in ("train", "valid", "test"):
        a, b = (json.loads((d / split / "_annotations.coco.json").read_text()) for d in (tiled, labelled / "tiled_again"))
        assert a == b
    m1, m2 = (json.loads((d / "manifest.json").read_text()) for d in (tiled, labelled / "tiled_again"))
    assert m1 == m2
    _tiled(labelled, "tiles_only", **{"dataset.tiles.keep_full": "false"})
    for split in ("train", "valid"):
        coco = json.loads((labelled / "tiles_only" / split / "_annotations.coco.json").read_text())
        assert coco["images"] and all("tile" in im for im in coco["images"])
    stats = json.loads((labelled / "tiles_only" / "stats.json").read_text())
    assert stats["train"]["tiles"]["images"] == stats["train"]["images"] and "tiles" not in stats["test"]
