"""Reading and writing H.264 mp4 with PyAV (moov atom first, so files play at once in a browser)."""
from __future__ import annotations

from pathlib import Path
from typing import Iterable, Iterator

import av
import numpy as np

from kicky.errors import KickyError


class Mp4Writer:
    def __init__(self, path: str | Path, width: int, height: int, fps: int, bitrate: int,
                 preset: str = "veryfast"):
        self.container = av.open(str(path), mode="w", options={"movflags": "+faststart"})
        s = self.container.add_stream("libx264", rate=fps)
        s.width, s.height, s.pix_fmt, s.bit_rate = width, height, "yuv420p", int(bitrate)
        s.options = {"preset": preset, "threads": "2"}  # fixed threads: same bytes on any machine
        self.stream = s

    def write(self, bgr: np.ndarray) -> None:
        frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(bgr), format="bgr24")
        for p in self.stream.encode(frame):
            self.container.mux(p)

    def close(self) -> None:
        for p in self.stream.encode():
            self.container.mux(p)
        self.container.close()


def write_mp4(path: str | Path, frames: Iterable[np.ndarray], fps: int, bitrate: int) -> None:
    w = None
    for f in frames:
        if w is None:
            w = Mp4Writer(path, f.shape[1], f.shape[0], fps, bitrate)
        w.write(f)
    if w is None:
        raise KickyError(f"no frames to write to {path}")
    w.close()


AGAIN = "copy or export the clip again (mp4, H.264 plays everywhere)"


def _checked(path: Path) -> Path:
    """`path` if it names a non-empty file, else one clear error."""
    if not path.is_file():
        raise KickyError(f"video not found: {path}" + (" (a folder: give a video file, or a clip folder "
                                                       "holding clip.mp4)" if path.is_dir() else ""))
    if path.stat().st_size == 0:
        raise KickyError(f"video {path} is empty (0 bytes): {AGAIN}")
    return path


def _unreadable(path: Path, e: av.error.FFmpegError, what: str) -> KickyError:
    why = getattr(e, "strerror", None) or str(e)
    return KickyError(f"cannot {what} video {path}: {why}: the file is damaged, cut short or not a video; {AGAIN}")


def read_frames(path: str | Path, indices: Iterable[int] | None = None, fmt: str = "bgr24",
                threads: bool = False) -> Iterator[tuple[int, np.ndarray]]:
    """Yield (index, frame) in `fmt` (BGR by default, "rgb24" for RGB); with `indices`, only those
    frames. `threads`: FFmpeg's frame-threaded decoding (the same frames, decoded on several threads).
    Clear error on a bad file."""
    path = _checked(Path(path))
    want = None if indices is None else set(int(i) for i in indices)
    try:
        with av.open(str(path)) as c:
            if not c.streams.video:
                raise KickyError(f"no video stream in {path} (audio only?): give a video clip")
            stream = c.streams.video[0]
            if threads:
                stream.thread_type = "AUTO"
            for i, frame in enumerate(c.decode(stream)):
                if want is not None and i not in want:
                    if i > max(want):
                        break
                    continue
                yield i, frame.to_ndarray(format=fmt)
    except av.error.FFmpegError as e:
        raise _unreadable(path, e, "decode") from None


def frame_times(path: str | Path) -> np.ndarray | None:
    """Each frame's presentation time in seconds (the stream's pts x time_base, display order), read
    from the packets without decoding; None when the stream carries no usable timestamps."""
    path = _checked(Path(path))
    try:
        with av.open(str(path)) as c:
            if not c.streams.video:
                return None
            s = c.streams.video[0]
            pts = [p.pts for p in c.demux(s) if p.pts is not None and p.size]
            base = s.time_base
    except av.error.FFmpegError:
        return None
    if not pts or not base:
        return None
    return np.sort(np.asarray(pts, float)) * float(base)


def probe(path: str | Path) -> dict:
    """fps, frame count and size of a video, or a clear error."""
    path = _checked(Path(path))
    try:
        with av.open(str(path)) as c:
            if not c.streams.video:
                raise KickyError(f"no video stream in {path} (audio only?): give a video clip")
            s = c.streams.video[0]
            return {"fps": float(s.average_rate or 0), "frames": int(s.frames), "width": s.width,
                    "height": s.height}
    except av.error.FFmpegError as e:
        raise _unreadable(path, e, "open") from None
