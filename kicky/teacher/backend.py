"""The one interface every teacher backend implements, and what it is given."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import numpy as np

from kicky.teacher.instances import Labels


@dataclass
class ClipInput:
    """A clip as a backend sees it. `frames` is (T, H, W, 3) uint8 RGB. `truth` is the simulator's
    truth.json when the clip is simulated (only the oracle may read it). `times`: each frame's time
    in seconds from the stream's timestamps, when it has them (a variable-rate clip's real times)."""
    clip_id: str
    frames: np.ndarray
    fps: float
    truth: dict | None = None
    path: Path | None = None
    meta: dict = field(default_factory=dict)
    times: np.ndarray | None = None

    @property
    def shape(self) -> tuple[int, int]:
        return self.frames.shape[1], self.frames.shape[2]

    def __len__(self) -> int:
        return len(self.frames)

    def window(self, a: int, b: int) -> "ClipInput":
        """Frames a..b-1 as a clip of their own, decoded into memory (a streamed clip's frames are
        decoded only now), with the matching slice of truth and times."""
        truth = None if self.truth is None else {**self.truth, "frames": self.truth["frames"][a:b], "n_frames": b - a}
        return ClipInput(self.clip_id, np.ascontiguousarray(self.frames[a:b]), self.fps, truth, self.path,
                         dict(self.meta, window=(a, b)), None if self.times is None else self.times[a:b])


class Backend(Protocol):
    """frames in -> per-frame instances. `todo[t, c]` says which (frame, class) pairs to fill, with
    c indexing `classes`; a backend may skip work where todo is False and must return one list per
    frame (instances of classes not asked for are dropped by the chain)."""
    name: str

    def label(self, clip: ClipInput, classes: tuple[str, ...], todo: np.ndarray) -> Labels: ...
