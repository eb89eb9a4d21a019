"""Frame-accurate cuts: the frames [start, end] of a video decoded and re-encoded to H.264 yuv420p
with +faststart (a stream copy would start at the previous keyframe), one clip folder per cut in the
layout every stage reads (`<out>/<clip_id>/clip.mp4`) with `source.json` saying where it came from."""
from __future__ import annotations

from pathlib import Path

from kicky.errors import KickyError


def cut(src: Path, start: int, end: int, final: Path, fps: float) -> int:
    """Write frames start..end (inclusive) of `src` to `final`/clip.mp4; returns the frame count."""
    from fractions import Fraction

    from kicky.io.atomic import staged_dir, write_json
    from kicky.io.video import Mp4Writer, read_frames
    rate = int(round(fps)) if abs(fps - round(fps)) < 1e-3 else Fraction(fps).limit_denominator(1001)
    n = 0
    with staged_dir(final, "clip.mp4") as tmp:
        w = None
        try:
            for _, f in read_frames(src, range(start, end + 1)):
                if w is None:
                    H, W = f.shape[0] // 2 * 2, f.shape[1] // 2 * 2
                    w = Mp4Writer(tmp / "clip.mp4", W, H, rate, bitrate=max(2_000_000, int(W * H * fps * 0.15)))
                w.write(f[:H, :W])
                n += 1
        finally:
            if w is not None:
                w.close()
        if n != end - start + 1:
            raise KickyError(f"{src} has no frames {start}-{end} (it ended after {start + n} frames)")
        write_json(tmp / "source.json", {"source": str(src), "start_frame": start, "end_frame": end,
                                         "frames": n, "fps": fps}, indent=1)
    return n
