"""Finding and loading clips, for every stage: a clip is a directory with clip.mp4 (and, when
simulated, truth.json), or a bare video file; `ClipInput` is a loaded clip."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from kicky.errors import KickyError
from kicky.io.frames import VideoFrames
from kicky.io.video import frame_times, probe, read_frames

VIDEO_EXT = (".mp4", ".mov", ".m4v", ".avi", ".mkv", ".webm")   # what infer.py reads too


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


def find_clips(root: str | Path) -> list[Path]:
    """Clip directories (holding clip.mp4) or video files under `root`, sorted; a clear error if none.
    Hidden names (a killed writer's staging folders) are not clips."""
    root = Path(root)
    if not root.exists():
        raise KickyError(f"clip folder not found: {root}")
    if root.is_file():
        return [root]
    # names starting with "." are staging folders / temp files of an unfinished write, never clips
    found = sorted({p.parent for p in root.glob("*/clip.mp4") if not p.parent.name.startswith(".")})
    loose = sorted(p for p in root.iterdir() if p.is_file() and p.suffix.lower() in VIDEO_EXT
                   and not p.name.startswith("."))
    if not found and not loose:
        raise KickyError(f"no clips in {root}: expected <clip>/clip.mp4 directories or video files")
    return found + loose


def clip_id(path: Path) -> str:
    return path.name if path.is_dir() else path.stem


TRUTH_KEYS = ("frames", "n_frames", "width", "height")


def read_truth(path: str | Path) -> dict:
    """A simulated clip's truth.json, or one clear error when it is damaged or not the simulator's."""
    path = Path(path)
    again = f"render the clip again (python -m kicky.sim) or remove {path.name} to treat it as footage"
    try:
        truth = json.loads(path.read_text())
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise KickyError(f"corrupt {path}: {e}: {again}") from None
    missing = [k for k in TRUTH_KEYS if not isinstance(truth, dict) or k not in truth]
    if missing or not isinstance(truth["frames"], list) or len(truth["frames"]) != truth["n_frames"]:
        raise KickyError(f"{path} is not a simulator truth file ({'no ' + missing[0] if missing else 'frames do not match n_frames'}): {again}")
    return truth


def load_clip(path: str | Path, stream: bool = False, max_height: int | None = None) -> ClipInput:
    """A clip's RGB frames, with its frame times and its simulator truth when there is one.
    `stream`: the frames decoded on demand (kicky.io.frames: any length in bounded memory), else all
    decoded now into one array. `max_height` (streamed): taller footage is scaled down on decode
    (not a simulated clip: its truth is in source pixels)."""
    path = Path(path)
    video = path / "clip.mp4" if path.is_dir() else path
    truth = None
    if path.is_dir() and (path / "truth.json").is_file():
        truth = read_truth(path / "truth.json")
    info = probe(video)
    if stream:
        frames = VideoFrames(video, max_height=None if truth is not None else max_height)
        frames[0]                 # a stream that cannot give its first frame fails here, not mid-way
    else:
        decoded = [f[:, :, ::-1] for _, f in read_frames(video)]
        if not decoded:
            raise KickyError(f"no frames decoded from {video}")
        frames = np.ascontiguousarray(np.stack(decoded))
    times = frame_times(video)
    if times is not None and len(times) != len(frames):
        times = None       # packets and decoded frames disagree (a damaged stream): frames at the mean rate
    return ClipInput(clip_id(path), frames, info["fps"] or 30.0, truth, video, times=times)


def split_done(paths: list[Path], done) -> tuple[dict, list[Path]]:
    """({clip_id: cached header} for clips `done(clip_id)` finds cached, [paths still to do])."""
    heads, todo = {}, []
    for p in paths:
        h = done(clip_id(p))
        if h:
            heads[clip_id(p)] = h
        else:
            todo.append(p)
    return heads, todo
