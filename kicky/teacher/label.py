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

from tqdm import tqdm

from kicky.checks import number
from kicky.errors import KickyError
from kicky.io.pool import worker_pool
from kicky.teacher.agreement import agreement_filter
from kicky.teacher.chain import MODES, run_chain
from kicky.teacher.clips import clip_id, find_clips, load_clip, split_done
from kicky.teacher.quality import clip_quality
from kicky.teacher.registry import build_chain
from kicky.teacher import store
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


def teach(clip, teacher: dict, classes: tuple[str, ...]):
    """The teacher chain on one clip, then the agreement filter when it is enabled:
    (labels, labels before the filter, the filter's counts or None)."""
    labels = run_chain(backends(teacher), clip, classes, teacher["mode"])
    agree = teacher.get("agreement") or {}
    if not agree.get("enabled"):
        return labels, labels, None
    others = [run_chain(backends(teacher, [n]), clip, classes) for n in agree.get("with") or []]
    kept, counts = agreement_filter(labels, others, agree["px"], agree["window"], agree["max_residual"])
    return kept, labels, counts


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
