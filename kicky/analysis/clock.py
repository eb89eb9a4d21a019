"""Frame times: the stream's own timestamps (PyAV pts x time_base) where they are usable, else frames
at the container's rate. A variable-frame-rate phone clip (frames dropped, uneven steps) keeps its
real times, and windows set in frames at a reference rate cover the same time at any rate."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Clock:
    t: np.ndarray     # (T,) seconds from the first frame
    rate: float       # nominal frames per second: 1 / the usual short step between frames (its lower
                      # quartile: a stream that drops every third frame still runs at its own 30 fps)

    @classmethod
    def of(cls, n: int, fps: float, times=None) -> "Clock":
        """From per-frame `times` (seconds) when there is one per frame and they increase, else
        n frames at `fps`."""
        if times is not None:
            t = np.asarray(times, float)
            if len(t) == n > 1 and np.isfinite(t).all() and (np.diff(t) > 0).all():
                t = t - t[0]
                return cls(t, float(1.0 / np.percentile(np.diff(t), 25)))
        return cls(np.arange(n) / float(fps), float(fps))

    @property
    def uniform(self) -> bool:
        """Frames evenly spaced at `rate` (to 0.1 %): frame indices are the time, exactly as before
        frame times existed (no float rounding moves a threshold)."""
        return len(self.t) < 2 or bool(np.allclose(np.diff(self.t) * self.rate, 1.0, rtol=0, atol=1e-3))

    @property
    def step(self) -> np.ndarray:
        """(T,) time from each frame to the next, in nominal frames (1 at a constant rate; 2 after a
        dropped frame); 1 for the last frame."""
        s = np.ones(len(self.t))
        s[:-1] = np.diff(self.t) * self.rate
        return s

    def after(self, k: int, n: float, ref_fps: float) -> int:
        """How many frames after frame k lie within the time of `n` frames at `ref_fps` (n at 30 fps
        is n at a constant 30 fps, 2n at 60 fps, and as many as fit after a dropped frame)."""
        span = (n + 0.25) / ref_fps
        return int(np.count_nonzero((self.t[k + 1:] - self.t[k]) <= span))

    def before(self, k: int, n: float, ref_fps: float) -> int:
        """The same for the frames before frame k."""
        span = (n + 0.25) / ref_fps
        return int(np.count_nonzero((self.t[k] - self.t[:k]) <= span))
