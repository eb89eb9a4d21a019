"""A detector's output on disk, in the teacher's label format (`<out>/<clip_id>/labels.json`, read
with `kicky.teacher.label.read_labels`), so every downstream step reads teacher labels and student
detections the same way. The header records the detector's fingerprint (a rerun skips clips detected
with the same checkpoint and settings) and its throughput on the machine it ran on."""
from __future__ import annotations

import json
from pathlib import Path

from kicky.io.atomic import write_json
from kicky.teacher.instances import Labels
from kicky.teacher.label import LABELS_VERSION

CACHE = "labels.json"


def cache_path(out: str | Path, clip_id: str) -> Path:
    return Path(out) / clip_id / CACHE


def cached(out: str | Path, clip_id: str, fingerprint: str) -> dict | None:
    """The header of a finished cache made with this fingerprint, else None (missing, stale or unreadable)."""
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
    """Write one clip's detections atomically; returns the header as written (without frames)."""
    doc = {"version": LABELS_VERSION, "clip_id": clip_id, **header,
           "n_frames": len(labels), "frames": [[i.to_json() for i in fr] for fr in labels]}
    write_json(cache_path(out, clip_id), doc)
    return {k: v for k, v in doc.items() if k != "frames"}
