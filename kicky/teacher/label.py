"""Labelling one clip with the teacher chain (in windows for a long clip) and writing its cache.

A clip's labels.json is written atomically and records a fingerprint of the teacher config, so a
rerun skips clips already labelled with the same config and a `kill -9` loses at most the clip in
progress. Afterwards: coverage per clip and class (by source), noball_clips.json, and — for
simulated clips — precision / recall / IoU of the labels against truth."""
from __future__ import annotations

import hashlib
import json
import logging

import numpy as np
from tqdm import tqdm

from kicky.checks import number
from kicky.core import store
from kicky.core.clips import load_clip
from kicky.core.quality import clip_quality
from kicky.teacher.agreement import agreement_filter
from kicky.teacher.chain import run_chain
from kicky.teacher.registry import build_chain
from kicky.teacher.report import coverage

log = logging.getLogger("kicky.teacher")
_chain: dict = {}   # backends built once per process and settings


def backends(teacher: dict, names: list[str] | None = None) -> list:
    """The backends of `names` (default: the teacher's chain), built on first use and then reused."""
    names = tuple(names or teacher["chain"])
    key = (json.dumps({"b": teacher["backends"], "o": teacher["ontology"]}, sort_keys=True), names)
    if key not in _chain:
        _chain[key] = build_chain(list(names), teacher["backends"], teacher["ontology"])
    return _chain[key]


def fingerprint(teacher: dict, classes: list[str]) -> str:
    blob = json.dumps({"v": store.VERSION, "teacher": teacher, "classes": classes}, sort_keys=True)
    return hashlib.sha1(blob.encode()).hexdigest()[:12]


def windows(n: int, fps: float, size: tuple[int, int], w: dict | None) -> list[tuple[int, int]]:
    """[(start, stop)] covering n frames: one window for a clip that fits `w` (seconds, and
    megapixels of frames), else windows of that length overlapping by `w['overlap']` seconds."""
    if not w:
        return [(0, n)]
    frames = int(min(number(w, "seconds", float, 0.5) * fps, number(w, "megapixels", float, 1.0) * 1e6 / (size[0] * size[1])))
    frames = max(frames, 2)
    lap = min(int(number(w, "overlap", float, 0.0) * fps), frames // 2)
    if n <= frames:
        return [(0, n)]
    k = -(-(n - lap) // (frames - lap))                 # as few windows as fit, all of one length
    size = -(-(n + (k - 1) * lap) // k)
    starts = np.linspace(0, n - size, k).round().astype(int)
    return [(int(a), int(a) + size) for a in starts]


def _teach(clip, teacher: dict, classes: tuple[str, ...]):
    labels = run_chain(backends(teacher), clip, classes, teacher["mode"])
    agree = teacher.get("agreement") or {}
    if not agree.get("enabled"):
        return labels, labels, None
    others = [run_chain(backends(teacher, [n]), clip, classes) for n in agree.get("with") or []]
    kept, counts = agreement_filter(labels, others, agree["px"], agree["window"], agree["max_residual"])
    return kept, labels, counts


def teach(clip, teacher: dict, classes: tuple[str, ...]):
    """The teacher chain on one clip, then the agreement filter when it is enabled:
    (labels, labels before the filter, the filter's counts or None). A clip longer than
    `teacher.window` is labelled window by window, each decoded alone (memory bounded by the window,
    time linear in length); where windows overlap, a frame's labels come from the window whose
    middle it is nearer."""
    wins = windows(len(clip), clip.fps, clip.shape, teacher.get("window"))
    if len(wins) == 1:
        whole = clip if isinstance(clip.frames, np.ndarray) else clip.window(0, len(clip))
        return _teach(whole, teacher, classes)
    labels, raw, counts = [], [], None
    bar = tqdm(wins, desc=f"teacher {clip.clip_id}", unit="window", leave=False)
    for k, (a, b) in enumerate(bar):
        kept, before, c = _teach(clip.window(a, b), teacher, classes)
        lo = 0 if k == 0 else (wins[k - 1][1] + a) // 2 - a          # mid-overlap with the previous
        hi = b - a if k == len(wins) - 1 else (b + wins[k + 1][0]) // 2 - a
        labels += kept[lo:hi]
        raw += before[lo:hi]
        if c is not None:
            counts = {key: (counts or {}).get(key, 0) + v for key, v in c.items()}
    return labels, raw, counts


def label_clip(args) -> dict:
    path, out, teacher, classes, fp = args
    clip = load_clip(path)
    C = tuple(classes)
    labels, raw, agreed = teach(clip, teacher, C)
    doc = {"fingerprint": fp, "chain": teacher["chain"], "mode": teacher["mode"], "classes": classes,
           "fps": clip.fps, "height": clip.shape[0], "width": clip.shape[1]}
    if agreed is not None:
        doc["agreement"] = agreed
        if clip.truth is not None:
            doc["quality_raw"] = clip_quality(raw, clip.truth, C)
    doc["coverage"] = coverage(labels, C)
    if clip.truth is not None:
        doc["quality"] = clip_quality(labels, clip.truth, C)
    return store.write(out, clip.clip_id, doc, labels)
