"""The `label` stage: every clip through the teacher chain, cached per clip.

A clip's labels.json is written atomically and records a fingerprint of the teacher config, so a
rerun skips clips already labelled with the same config and a `kill -9` loses at most the clip in
progress. Afterwards: coverage per clip and class (by source), noball_clips.json, and — for
simulated clips — precision / recall / IoU of the labels against truth."""
from __future__ import annotations

import hashlib
import json
import logging
from concurrent.futures import as_completed
from pathlib import Path

import numpy as np
from tqdm import tqdm

from kicky.checks import number
from kicky.core import store
from kicky.core.clips import clip_id, find_clips, load_clip, split_done
from kicky.core.quality import clip_quality
from kicky.errors import KickyError
from kicky.io.pool import worker_pool
from kicky.teacher.agreement import agreement_filter
from kicky.teacher.chain import MODES, run_chain
from kicky.teacher.registry import build_chain
from kicky.teacher.report import coverage, write_reports

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


def _label_one(args) -> dict:
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


def check(conf: dict) -> None:
    t = conf["teacher"]
    if not t.get("chain"):
        raise KickyError("teacher.chain is empty: name at least one backend, e.g. teacher.chain=[motion]")
    from kicky.teacher.registry import NAMES
    unknown = [n for n in t["chain"] if n not in NAMES]
    if unknown:   # before the clips: a config error is reported first, models are built only when needed
        raise KickyError(f"unknown teacher backend {unknown[0]!r}: choose from {', '.join(NAMES)}")
    if t.get("mode") not in MODES:
        raise KickyError(f"teacher.mode={t.get('mode')!r}: use one of {', '.join(MODES)}")
    bad = [c for c in conf["classes"] if c not in t["ontology"]]
    if bad:
        raise KickyError(f"classes {bad} have no prompt in teacher.ontology")


def run(conf: dict) -> dict:
    check(conf)
    workers = number(conf, "workers", int, 1)
    teacher, classes = conf["teacher"], list(conf["classes"])
    out = Path(conf["out"])
    fp = fingerprint(teacher, classes)
    clips = find_clips(conf["clips"])
    heads, todo = split_done(clips, lambda c: store.cached(out, c, fp))
    if heads:
        print(f"{len(heads)}/{len(clips)} clips already labelled in {out}, labelling {len(todo)}")
    if todo:   # models and servers are needed (and checked) only when there is a clip to label
        for be in backends(teacher):
            if hasattr(be, "check"):
                be.check()
    jobs = [(p, out, teacher, classes, fp) for p in todo]
    if workers == 1 or len(jobs) <= 1:
        for j in tqdm(jobs, desc="labelling", unit="clip"):
            h = _label_one(j)
            heads[h["clip_id"]] = h
    else:
        with worker_pool(workers) as ex:
            for f in tqdm(as_completed([ex.submit(_label_one, j) for j in jobs]), total=len(jobs),
                          desc="labelling", unit="clip"):
                h = f.result()
                heads[h["clip_id"]] = h
    return write_reports([heads[clip_id(p)] for p in clips], teacher, classes, out, Path(conf["reports"]))
