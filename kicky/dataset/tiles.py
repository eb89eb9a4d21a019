"""Native-resolution tiles for the training set. rfdetr squeezes a whole 1920x1080 frame to its
res x res input, so a 6 px ball becomes ~1.3 x 2.4 px at 384 and cannot be learned; a tile cut from
the frame at its own scale (no resizing) keeps the ball at 6 px. Each sampled frame gives
`per_frame` tiles, drawn by shares: around the ball (the ball inside, at a random offset), around a
player, anywhere, and on empty background (no labelled pixel). Placement is deterministic from the
tiles' seed, the clip id and the frame; annotations are the frame's, cropped to the tile."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np

from kicky.checks import number
from kicky.core.instances import Instance
from kicky.errors import KickyError

KINDS = ("around_ball", "around_player", "random", "empty")
KEYS = ("enabled", "size", "per_frame", "keep_full", *KINDS, "min_visible", "min_visible_px", "seed")
EMPTY_STRIDE = 8   # px between the candidate origins searched for an empty tile
DRAWS = 10         # tries for a tile whose origin another tile of the frame already has


@dataclass(frozen=True)
class Tile:
    """A crop of a frame: origin x, y and size w, h in frame pixels, and how it was placed."""
    x: int
    y: int
    w: int
    h: int
    kind: str

    def name(self, clip_id: str, frame: int) -> str:
        """The tile's image file name: clip, frame and origin."""
        return f"{clip_id}_{frame:05d}_x{self.x:04d}_y{self.y:04d}.jpg"

    def meta(self) -> dict:
        return {"tile": [self.x, self.y, self.w, self.h], "tile_kind": self.kind}


def tile_settings(t: dict | None) -> dict | None:
    """`dataset.tiles` checked and typed (one clear error naming the key), or None when off."""
    if not t or not t.get("enabled", False):
        return None
    bad = [k for k in t if k not in KEYS]
    if bad:
        raise KickyError(f"unknown dataset.tiles keys {bad}: known are {', '.join(KEYS)}")
    key = lambda k: {f"dataset.tiles.{k}": t.get(k)}  # noqa: E731
    out = {"size": number(key("size"), "dataset.tiles.size", int, 16),
           "per_frame": number(key("per_frame"), "dataset.tiles.per_frame", int, 1),
           "keep_full": bool(t.get("keep_full", True)),
           "min_visible": number(key("min_visible"), "dataset.tiles.min_visible", float, 0.0, 1.0),
           "min_visible_px": number(key("min_visible_px"), "dataset.tiles.min_visible_px", int, 0),
           "seed": number(key("seed"), "dataset.tiles.seed", int, 0)}
    shares = {k: number(key(k), f"dataset.tiles.{k}", float, 0.0) for k in KINDS}
    if not sum(shares.values()):
        raise KickyError(f"dataset.tiles shares {', '.join(KINDS)} are all 0: give at least one a positive share")
    return {**out, "shares": {k: v / sum(shares.values()) for k, v in shares.items()}}


def frame_rng(seed: int, clip_id: str, frame: int) -> np.random.Generator:
    """The random stream of one frame's tiles: the same for the same seed, clip and frame."""
    h = int.from_bytes(hashlib.sha256(clip_id.encode()).digest()[:8], "big")
    return np.random.default_rng([seed, h, frame])


def quotas(per_frame: int, shares: dict[str, float], rng: np.random.Generator) -> dict[str, int]:
    """How many tiles of each kind: the whole part of per_frame x share, and the tiles left over
    drawn by the fractional parts (so on average every kind gets exactly its share)."""
    want = {k: per_frame * s for k, s in shares.items()}
    n = {k: int(np.floor(v + 1e-9)) for k, v in want.items()}
    left = per_frame - sum(n.values())
    if left > 0:   # systematic sampling: kind k gets one more with probability exactly its fraction
        frac = np.array([max(want[k] - n[k], 0.0) for k in KINDS])
        cum = np.cumsum(frac / frac.sum() * left)
        for k in np.searchsorted(cum, rng.random() + np.arange(left), side="right"):
            n[KINDS[min(int(k), len(KINDS) - 1)]] += 1
    return n


def _around(box, w: int, h: int, W: int, H: int, rng: np.random.Generator) -> tuple[int, int]:
    """A w x h origin containing `box` (x0, y0, x1, y1) at a random offset; for a box larger than the
    tile, a tile within the box's extent. Clamped to the frame."""
    def pick(a0, a1, size, full):
        a0, a1 = int(np.floor(a0)), int(np.ceil(a1))
        lo, hi = sorted((a1 - size, a0))
        lo, hi = min(max(lo, 0), full - size), min(max(hi, 0), full - size)
        return int(rng.integers(lo, hi + 1))
    x0, y0, x1, y1 = box
    return pick(x0, x1, w, W), pick(y0, y1, h, H)


def _empty_origin(occupied: np.ndarray, w: int, h: int, rng: np.random.Generator) -> tuple[int, int] | None:
    """A random origin (on an 8 px lattice plus the far edges) whose w x h tile holds no labelled pixel."""
    H, W = occupied.shape
    ii = np.zeros((H + 1, W + 1), np.int64)
    ii[1:, 1:] = occupied.astype(np.int64).cumsum(0).cumsum(1)
    xs = np.unique(np.r_[np.arange(0, W - w + 1, EMPTY_STRIDE), W - w])
    ys = np.unique(np.r_[np.arange(0, H - h + 1, EMPTY_STRIDE), H - h])
    Y, X = np.meshgrid(ys, xs, indexing="ij")
    inside = ii[Y + h, X + w] - ii[Y, X + w] - ii[Y + h, X] + ii[Y, X]
    free = np.argwhere(inside == 0)
    if not len(free):
        return None
    j, i = free[rng.integers(len(free))]
    return int(xs[i]), int(ys[j])


def plan_tiles(insts: list[Instance], width: int, height: int, t: dict, rng: np.random.Generator) -> list[Tile]:
    """The tiles of one frame (settings from `tile_settings`). A kind that cannot be placed (no ball,
    no player, no empty spot) becomes a random tile and says so; a tile whose origin is taken is drawn
    again (up to 10 times, then left out: a frame barely larger than the tile has few origins)."""
    w, h = min(t["size"], width), min(t["size"], height)
    balls = [i for i in insts if i.cls == "ball" and i.mask.any()]
    players = [i for i in insts if i.cls == "player" and i.mask.any()]
    occupied = np.logical_or.reduce([i.mask for i in insts]) if insts else np.zeros((height, width), bool)
    n = quotas(t["per_frame"], t["shares"], rng)
    out: dict[tuple[int, int], Tile] = {}
    for kind in KINDS:
        for _ in range(n[kind]):
            for _try in range(DRAWS):           # a second tile at a taken origin is drawn again
                xy, got = None, kind
                if kind == "around_ball" and balls:
                    xy = _around(balls[rng.integers(len(balls))].box, w, h, width, height, rng)
                elif kind == "around_player" and players:
                    xy = _around(players[rng.integers(len(players))].box, w, h, width, height, rng)
                elif kind == "empty":
                    xy = _empty_origin(occupied, w, h, rng)
                if xy is None:
                    got = "random"
                    xy = int(rng.integers(0, width - w + 1)), int(rng.integers(0, height - h + 1))
                if xy not in out:
                    out[xy] = Tile(xy[0], xy[1], w, h, got)
                    break
    return list(out.values())


def crop_instances(insts: list[Instance], tile: Tile, min_visible: float, min_visible_px: int) -> list[Instance]:
    """The frame's instances inside `tile`, masks cropped (the box follows from the cropped mask).
    An instance cut by the tile's edge stays when at least `min_visible` of its mask or
    `min_visible_px` pixels are inside; a sliver smaller than both is dropped."""
    out = []
    for i in insts:
        m = i.mask[tile.y:tile.y + tile.h, tile.x:tile.x + tile.w]
        vis = int(m.sum())
        if not vis:
            continue
        if vis < min_visible * i.area and vis < min_visible_px:
            continue
        out.append(Instance(i.cls, m.copy(), i.score, i.source))
    return out
