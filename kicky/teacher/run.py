"""The `label` stage: every clip through the teacher chain (kicky.teacher.label), cached per clip;
then coverage, noball_clips.json and, for simulated clips, label quality against truth."""
from __future__ import annotations

from concurrent.futures import as_completed
from pathlib import Path

from tqdm import tqdm

from kicky.checks import number
from kicky.core import store
from kicky.core.clips import clip_id, find_clips, split_done
from kicky.errors import KickyError
from kicky.io.pool import worker_pool
from kicky.teacher.chain import MODES
from kicky.teacher.label import label_clip, backends, fingerprint
from kicky.teacher.report import write_reports
from kicky.teacher.settings import check_settings


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
    check_settings(t, tuple(NAMES))
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
            h = label_clip(j)
            heads[h["clip_id"]] = h
    else:
        with worker_pool(workers) as ex:
            for f in tqdm(as_completed([ex.submit(label_clip, j) for j in jobs]), total=len(jobs),
                          desc="labelling", unit="clip"):
                h = f.result()
                heads[h["clip_id"]] = h
    return write_reports([heads[clip_id(p)] for p in clips], teacher, classes, out, Path(conf["reports"]))
