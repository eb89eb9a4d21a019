"""The tools' persisted state: one JSON per folder (`annotations.json` for the rater and the goal
annotator, `clipper.json` in the clipper's output folder), with a version field, written atomically
after every change. Every value from the page is checked here before it is stored."""
from __future__ import annotations

import json
import threading
from pathlib import Path

from kicky.errors import KickyError
from kicky.io.atomic import write_json

VERSION = 1
ANNOTATIONS = "annotations.json"
CLIPPER = "clipper.json"
FIELDS = {"rater": {"stars"}, "goals": {"goal", "foot", "kick_frame"}}
GOAL = ("goal", "no_goal", "unsure")
FOOT = ("left", "right")


def _load(path: Path, empty: dict) -> dict:
    if not path.is_file():
        return empty
    try:
        doc = json.loads(path.read_text())
    except (OSError, ValueError) as e:
        raise KickyError(f"corrupt {path}: {e.__class__.__name__}: {e} (move it aside to start afresh)") from None
    if not isinstance(doc, dict) or doc.get("version") != VERSION:
        raise KickyError(f"{path} is not a version-{VERSION} annotation file: move it aside to start afresh")
    return doc


class Labels:
    """The rater's and the goal annotator's labels of one clip folder."""

    def __init__(self, folder: Path, clips: dict[str, dict]):
        self.path, self.clips = folder / ANNOTATIONS, clips
        self.lock = threading.Lock()
        self.doc = _load(self.path, {"version": VERSION, "clips": {}, "cursor": {}})

    def set(self, tool: str, clip: str, key: str, value) -> dict:
        if clip not in self.clips:
            raise KickyError(f"no clip {clip!r} in this folder")
        if key == "cursor":
            with self.lock:
                self.doc.setdefault("cursor", {})[tool] = clip
                write_json(self.path, self.doc, indent=1)
            return self.doc
        if key not in FIELDS.get(tool, ()):
            raise KickyError(f"{tool} does not label {key!r}")
        if value is not None:
            if key == "stars" and not (isinstance(value, int) and 1 <= value <= 5):
                raise KickyError("stars must be 1-5")
            if key == "goal" and value not in GOAL:
                raise KickyError(f"goal must be one of {', '.join(GOAL)}")
            if key == "foot" and value not in FOOT:
                raise KickyError("foot must be left or right")
            if key == "kick_frame" and not (isinstance(value, int) and 0 <= value < self.clips[clip]["frames"]):
                raise KickyError(f"kick_frame must be a frame of the clip (0-{self.clips[clip]['frames'] - 1})")
        with self.lock:
            row = self.doc["clips"].setdefault(clip, {})
            if value is None:
                row.pop(key, None)
            else:
                row[key] = value
            write_json(self.path, self.doc, indent=1)
        return self.doc


class Cuts:
    """The clipper's in / out points over one long video, kept in its output folder."""

    def __init__(self, out: Path, video: Path, frames: int):
        self.path, self.frames = out / CLIPPER, frames
        self.lock = threading.Lock()
        self.doc = _load(self.path, {"version": VERSION, "video": str(video), "cuts": [], "pending_in": None,
                                     "position": 0, "exported": []})
        if self.doc.get("video") != str(video):
            raise KickyError(f"{self.path} belongs to {self.doc.get('video')}, not {video}: choose another out=")

    def update(self, cuts, pending_in, position) -> dict:
        def frame(v, what):
            if not (isinstance(v, int) and 0 <= v < self.frames):
                raise KickyError(f"{what} must be a frame of the video (0-{self.frames - 1})")
            return v
        if not isinstance(cuts, list):
            raise KickyError("cuts must be a list of [in, out] frames")
        clean = []
        for c in cuts:
            if not (isinstance(c, list) and len(c) == 2):
                raise KickyError("each cut is [in, out]")
            a, b = frame(c[0], "in"), frame(c[1], "out")
            if b < a:
                raise KickyError(f"a cut ends ({b}) before it starts ({a})")
            clean.append([a, b])
        with self.lock:
            self.doc.update(cuts=clean, pending_in=None if pending_in is None else frame(pending_in, "in"),
                            position=frame(position, "position"))
            write_json(self.path, self.doc, indent=1)
        return self.doc

    def exported(self, rows: list[dict]) -> dict:
        with self.lock:
            self.doc["exported"] = rows
            write_json(self.path, self.doc, indent=1)
        return self.doc
