"""A video's frames as a read-only array decoded on demand, so a clip of any length is held a few
frames at a time (a 60 s 1080p clip is 11 GB as an array, a 15 s 4K one 11 GB too).

`VideoFrames(path)[t]` is frame t as (H, W, 3) uint8 RGB; a slice or a list of indices gives an
array; iterating streams every frame from one decoder. In order it reads straight on; back, or far
ahead, it seeks to the keyframe before and decodes forward from there. The frame count and times
come from the stream's packets (no decoding); a stream that decodes to fewer frames than it holds
packets is damaged, and says so."""
from __future__ import annotations

from collections import OrderedDict
from pathlib import Path

import av
import numpy as np

from kicky.errors import KickyError
from kicky.io.video import AGAIN, _checked, _unreadable

AHEAD = 48        # frames: decoding on to a frame this far ahead beats a seek (a GOP is 30-250)


class VideoFrames:
    def __init__(self, path: str | Path, fmt: str = "rgb24", keep: int = 8, max_height: int | None = None):
        """`max_height`: frames taller than this are scaled down on decode (aspect kept, even sides)."""
        self.path, self.fmt, self.keep = _checked(Path(path)), fmt, max(int(keep), 1)
        try:
            with av.open(str(self.path)) as c:
                if not c.streams.video:
                    raise KickyError(f"no video stream in {self.path} (audio only?): give a video clip")
                s = c.streams.video[0]
                self.source_size = (s.width, s.height)
                self.height, self.width = s.height, s.width
                if max_height and s.height > max_height:
                    self.height = int(max_height) // 2 * 2
                    self.width = int(round(s.width * self.height / s.height / 2)) * 2
                pts = [p.pts for p in c.demux(s) if p.size]
                declared = int(s.frames or 0)   # the container's own sample count (mp4 / mov: its index)
        except av.error.FFmpegError as e:
            raise _unreadable(self.path, e, "open") from None
        if not pts:
            raise KickyError(f"no frames in {self.path}: {AGAIN}")
        if declared and len(pts) < declared:   # a cut file: its index lists frames whose bytes are gone
            raise KickyError(f"{self.path} holds {len(pts)} of the {declared} frames its index lists: it is "
                             f"damaged, cut short or was not written to the end; {AGAIN}")
        self._pts = np.sort(np.asarray(pts, np.int64)) if None not in pts else None
        self._n = len(pts)
        self._cache: OrderedDict[int, np.ndarray] = OrderedDict()
        self._dec = None       # (container, frame iterator, index of the next frame it yields)

    # -- the array face ---------------------------------------------------------------------------
    @property
    def shape(self) -> tuple[int, int, int, int]:
        return (self._n, self.height, self.width, 3)

    dtype = np.dtype(np.uint8)
    ndim = 4

    def __len__(self) -> int:
        return self._n

    def __getitem__(self, key):
        if isinstance(key, (int, np.integer)):
            t = int(key) + (self._n if key < 0 else 0)
            if not 0 <= t < self._n:
                raise IndexError(f"frame {key} of a {self._n}-frame clip")
            return self._frame(t)
        idx = range(self._n)[key] if isinstance(key, slice) else [int(k) for k in key]
        if len(idx) == 0:
            return np.empty((0, self.height, self.width, 3), np.uint8)
        out = np.empty((len(idx), self.height, self.width, 3), np.uint8)   # filled in place: no list + copy
        for j, t in enumerate(idx):
            out[j] = self._frame(t)
        return out

    def __iter__(self):
        for t in range(self._n):
            yield self._frame(t)

    def __array__(self, dtype=None, copy=None):   # np.asarray(frames): the whole clip (short clips only)
        a = self[:]
        return a if dtype is None else a.astype(dtype)

    def close(self) -> None:
        if self._dec is not None:
            self._dec[0].close()
            self._dec = None

    # -- decoding ---------------------------------------------------------------------------------
    def _frame(self, t: int) -> np.ndarray:
        if t in self._cache:
            self._cache.move_to_end(t)
            return self._cache[t]
        if self._dec is None or not (self._dec[2] <= t < self._dec[2] + AHEAD):
            self._open(t)
        c, frames, nxt = self._dec
        try:
            while True:
                f = next(frames, None)
                if f is None:
                    raise KickyError(f"video {self.path} ends at frame {nxt} of the {self._n} it lists: the file "
                                     f"is damaged, cut short or was not written to the end; {AGAIN}")
                i = self._index(f, nxt)
                if nxt is None and i > t:      # the seek landed past t (timestamps that lie): from the start
                    self._open(0)
                    c, frames, nxt = self._dec
                    continue
                nxt = i + 1
                if i >= t - self.keep:
                    self._remember(i, self._array(f))
                if i >= t:
                    break
        except av.error.FFmpegError as e:
            raise _unreadable(self.path, e, "decode") from None
        self._dec = (c, frames, nxt)
        if t not in self._cache:     # a timestamp that maps past t (a damaged stream): the nearest frame
            self._remember(t, self._cache[next(reversed(self._cache))])
        return self._cache[t]

    def _open(self, t: int) -> None:
        """A decoder at the keyframe at or before t (t = 0: the start, no seek)."""
        self.close()
        try:
            c = av.open(str(self.path))
            s = c.streams.video[0]
            s.thread_type = "AUTO"
            start = 0
            if t > 0 and self._pts is not None:
                c.seek(int(self._pts[t]), stream=s, backward=True, any_frame=False)
                start = None           # known from the first frame's timestamp
            self._dec = (c, iter(c.decode(s)), start)
        except av.error.FFmpegError as e:
            raise _unreadable(self.path, e, "decode") from None

    def _index(self, f, nxt: int | None) -> int:
        if self._pts is not None and f.pts is not None:
            return int(min(np.searchsorted(self._pts, f.pts), self._n - 1))
        if nxt is None:      # a seek on a stream without timestamps: cannot happen (no seek without them)
            raise KickyError(f"cannot find the frames of {self.path} after a seek: {AGAIN}")
        return nxt

    def _array(self, f) -> np.ndarray:
        if (self.width, self.height) == self.source_size:
            return f.to_ndarray(format=self.fmt)
        return f.to_ndarray(format=self.fmt, width=self.width, height=self.height, interpolation="AREA")

    def _remember(self, i: int, a: np.ndarray) -> None:
        a.flags.writeable = False      # shared with the cache: drawing on it must copy first
        self._cache[i] = a
        self._cache.move_to_end(i)
        while len(self._cache) > self.keep:
            self._cache.popitem(last=False)
