"""Three-frame windows over a decoded stream, holding only the frames a window needs (a 1080p clip
is never decoded whole): frame t is seen as (t-1, t, t+1), the first and last frames repeated."""
from __future__ import annotations

from pathlib import Path
from typing import Iterable, Iterator

import numpy as np


def rgb_frames(path: str | Path) -> Iterator[np.ndarray]:
    """A clip's frames, decoded one at a time, as RGB uint8 (H, W, 3). `path`: clip dir or video."""
    from kicky.io.video import read_frames
    path = Path(path)
    video = path / "clip.mp4" if path.is_dir() else path
    for _, f in read_frames(video, fmt="rgb24", threads=True):
        yield f


def windows(frames: Iterable[np.ndarray], n: int) -> Iterator[tuple[int, list[np.ndarray]]]:
    """(t0, frames t0-1 .. t0+m) for consecutive runs of m <= n frames: the m triplets of t0 .. t0+m-1
    are window[i:i+3]. Edges are repeated, so every frame gets a triplet."""
    it = iter(frames)
    first = next(it, None)
    if first is None:
        return
    buf, t0 = [first, first], 0
    for f in it:
        buf.append(f)
        if len(buf) == n + 2:
            yield t0, buf
            buf, t0 = buf[-2:], t0 + n
    buf.append(buf[-1])
    if len(buf) >= 3:
        yield t0, buf


def stack(window: list[np.ndarray], i: int) -> np.ndarray:
    """Triplet i of a window as one (H, W, 9) uint8 array: t-1, t, t+1 RGB."""
    return np.concatenate(window[i:i + 3], axis=2)
