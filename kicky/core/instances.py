"""The teacher's output: per-frame instances, and their JSON form (COCO RLE masks)."""
from __future__ import annotations

import numpy as np

from kicky.io.rle import decode, encode


class Instance:
    """One labelled object in one frame. `mask` is a bool HxW array; `box` is x0, y0, x1, y1 in
    pixels (exclusive right/bottom), derived from the mask when not given. The mask is held as the
    crop of its own bounding box (a 1080p player is ~40 kB, not the frame's 2 MB), so a long clip's
    labels fit in memory; `mask` rebuilds the full frame, `crop` gives the part that holds it."""
    __slots__ = ("cls", "score", "source", "box", "_at", "_crop", "_shape")

    def __init__(self, cls: str, mask: np.ndarray, score: float, source: str,
                 box: tuple[float, float, float, float] | None = None):
        self.cls, self.score, self.source = cls, score, source
        self.mask = mask
        self.box = mask_box(self) if box is None else box

    @property
    def mask(self) -> np.ndarray:
        full = np.zeros(self._shape, bool)
        (y, x), c = self._at, self._crop
        full[y:y + c.shape[0], x:x + c.shape[1]] = c
        return full

    @mask.setter
    def mask(self, mask: np.ndarray) -> None:
        mask = np.asarray(mask, dtype=bool)
        self._shape = mask.shape
        rows, cols = np.flatnonzero(mask.any(1)), np.flatnonzero(mask.any(0))
        if len(rows) == 0:
            self._at, self._crop = (0, 0), np.zeros((0, 0), bool)
        else:
            self._at = (int(rows[0]), int(cols[0]))
            self._crop = mask[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1].copy()

    @property
    def crop(self) -> tuple[int, int, np.ndarray]:
        """(x0, y0, the mask inside its bounding box)."""
        return self._at[1], self._at[0], self._crop

    @property
    def shape(self) -> tuple[int, int]:
        return self._shape

    @property
    def area(self) -> int:
        return int(self._crop.sum())

    def __repr__(self) -> str:
        return (f"Instance({self.cls!r}, score={self.score:.3f}, source={self.source!r}, "
                f"box={tuple(round(float(v), 1) for v in self.box)}, area={self.area})")

    def __getstate__(self):
        return {k: getattr(self, k) for k in self.__slots__}

    def __setstate__(self, state):
        for k, v in state.items():
            setattr(self, k, v)

    def to_json(self) -> dict:
        return {"class": self.cls, "score": round(float(self.score), 4), "source": self.source,
                "box": [round(float(v), 2) for v in self.box], "area": self.area,
                "rle": encode(self.mask)}

    @classmethod
    def from_json(cls, d: dict) -> "Instance":
        return cls(d["class"], decode(d["rle"]), d["score"], d["source"], tuple(d["box"]))


Labels = list[list[Instance]]  # one list of instances per frame


def mask_box(mask) -> tuple[float, float, float, float]:
    """The x0, y0, x1, y1 box of a bool mask (or of an Instance's mask)."""
    if isinstance(mask, Instance):
        (y, x), c = mask._at, mask._crop
        if not c.any():
            return (0.0, 0.0, 0.0, 0.0)
        return (float(x), float(y), float(x + c.shape[1]), float(y + c.shape[0]))
    ys, xs = np.nonzero(mask)
    if len(xs) == 0:
        return (0.0, 0.0, 0.0, 0.0)
    return (float(xs.min()), float(ys.min()), float(xs.max() + 1), float(ys.max() + 1))


def box_mask(box, shape: tuple[int, int]) -> np.ndarray:
    """Filled rectangle mask of an x0, y0, x1, y1 box, clipped to the image."""
    H, W = shape
    x0, y0, x1, y1 = box
    m = np.zeros((H, W), bool)
    m[max(int(np.floor(y0)), 0):min(int(np.ceil(y1)), H), max(int(np.floor(x0)), 0):min(int(np.ceil(x1)), W)] = True
    return m


def present(labels: Labels, classes: tuple[str, ...]) -> np.ndarray:
    """(T, C) bool: frame t has at least one instance of class c."""
    out = np.zeros((len(labels), len(classes)), bool)
    index = {c: j for j, c in enumerate(classes)}
    for t, insts in enumerate(labels):
        for inst in insts:
            if inst.cls in index:
                out[t, index[inst.cls]] = True
    return out
