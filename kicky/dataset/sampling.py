"""Which frames of a clip go into the dataset: every k-th frame, plus every frame around the kick
and while the ball moves fast — both read from the teacher's ball labels, not from truth."""
from __future__ import annotations

import numpy as np

from kicky.core.instances import Labels


def ball_speeds(labels: Labels) -> np.ndarray:
    """Pixels per frame of the (best) labelled ball between consecutive labelled frames; NaN elsewhere."""
    pts = []
    for fr in labels:
        b = [i for i in fr if i.cls == "ball"]
        if b:
            x0, y0, x1, y1 = max(b, key=lambda i: i.score).box
            pts.append(((x0 + x1) / 2, (y0 + y1) / 2))
        else:
            pts.append((np.nan, np.nan))
    p = np.array(pts)
    v = np.full(len(p), np.nan)
    if len(p) > 1:
        v[1:] = np.linalg.norm(np.diff(p, axis=0), axis=1)
    return v


def sample_frames(labels: Labels, every: int = 5, fast_px: float = 6.0, around: int = 3) -> list[int]:
    """Sorted frame indices: every `every`-th frame, frames where the ball moves >= fast_px px/frame,
    and +-`around` frames of the first fast frame (the kick)."""
    T = len(labels)
    keep = set(range(0, T, max(1, every)))
    v = ball_speeds(labels)
    fast = np.nonzero(np.nan_to_num(v) >= fast_px)[0]
    keep.update(int(t) for t in fast)
    if len(fast):
        k = int(fast[0])
        keep.update(range(max(0, k - around), min(T, k + around + 1)))
    return sorted(keep)
