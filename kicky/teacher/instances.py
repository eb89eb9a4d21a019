"""The teacher's output: per-frame instances, and their JSON form (COCO RLE masks)."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from kicky.io.rle import decode, encode


@dataclass
class Instance:
    """One labelled object in one frame. `mask` is a bool HxW array; `box` is x0, y0, x1, y1 in
    pixels (exclusive right/bottom), derived from the mask when not given."""
    cls: str
    mask: np.ndarray
    score: float
    source: str
    box: tuple[float, float, float, float] | None = field(default=None)

    def __post_init__(self):
        self.mask = np.asarray(self.mask, dtype=bool)
        if self.box is None:
            self.box = mask_box(self.mask)

    @property
    def area(self) -> int:
        return int(self.mask.sum())

    def to_json(self) -> dict:
        return {"class": self.cls, "score": round(float(self.score), 4), "source": self.source,
                "box": [round(float(v), 2) for v in self.box], "area": self.area,
                "rle": encode(self.mask)}

    @classmethod
    def from_json(cls, d: dict) -> "Instance":
        return cls(d["class"], decode(d["rle"]), d["score"], d["source"], tuple(d["box"]))


Labels = list[list[Instance]]  # one list of instances per frame


def mask_box(mask: np.ndarray) -> tuple[float, float, float, float]:
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
