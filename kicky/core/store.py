"""Per-clip instance caches on disk: `<out>/<clip_id>/labels.json`, the one format for a teacher's
labels and a detector's detections. Written atomically with a fingerprint of what made them, so a
rerun skips clips already done with the same settings and a torn or stale file is redone."""
from __future__ import annotations

import json
from pathlib import Path

from kicky.core.instances import Instance, Labels
from kicky.errors import KickyError
from kicky.io.atomic import write_json

VERSION = 1
NAME = "labels.json"


def cache_path(out: str | Path, clip_id: str) -> Path:
    return Path(out) / clip_id / NAME


def read_labels(path: str | Path) -> tuple[dict, Labels]:
    """A clip's labels.json -> (header, per-frame instances); a clear error if it is unreadable."""
    try:
        doc = json.loads(Path(path).read_text())
        return doc, [[Instance.from_json(d) for d in fr] for fr in doc["frames"]]
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise KickyError(f"corrupt label cache {path}: {e.__class__.__name__}: {e} (delete it to relabel)") from None


def cached(out: str | Path, clip_id: str, fingerprint: str) -> dict | None:
    """The header of a finished cache made with this fingerprint, else None (missing, stale or torn:
    not ours, our writes are atomic — it is redone)."""
    path = cache_path(out, clip_id)
    if not path.is_file():
        return None
    try:
        doc = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    if doc.get("fingerprint") != fingerprint:
        return None
    return {k: v for k, v in doc.items() if k != "frames"}


def write(out: str | Path, clip_id: str, header: dict, labels: Labels) -> dict:
    """Write one clip's instances atomically; returns the header as written (without frames)."""
    doc = {"version": VERSION, "clip_id": clip_id, **header, "n_frames": len(labels),
           "frames": [[i.to_json() for i in fr] for fr in labels]}
    write_json(cache_path(out, clip_id), doc)
    return {k: v for k, v in doc.items() if k != "frames"}
