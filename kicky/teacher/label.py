"""The `label` stage: every clip through the teacher chain, cached per clip.

A clip's labels.json is written atomically and records a fingerprint of the teacher config, so a
rerun skips clips already labelled with the same config and a `kill -9` loses at most the clip in
progress. Afterwards: coverage per clip and class (by source), noball_clips.json, and — for
simulated clips — precision / recall / IoU of the labels against truth."""
from __future__ import annotations

import hashlib
import json
import logging
import multiprocessing as mp
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

from tqdm import tqdm

from kicky.errors import KickyError
from kicky.io.atomic import write_json
from kicky.teacher.agreement import agreement_filter
from kicky.teacher.chain import MODES, run_chain
from kicky.teacher.clips import clip_id, find_clips, load_clip, split_done
from kicky.teacher.instances import Instance, Labels
from kicky.teacher.quality import clip_quality
from kicky.teacher.registry import build_chain
from kicky.teacher.report import coverage, write_reports

LABELS_VERSION = 1
log = logging.getLogger("kicky.teacher")
_chain: dict = {}


def fingerprint(teacher: dict, classes: list[str]) -> str:
    blob = json.dumps({"v": LABELS_VERSION, "teacher": teacher, "classes": classes}, sort_keys=True)
    return hashlib.sha1(blob.encode()).hexdigest()[:12]


def read_labels(path: Path) -> tuple[dict, Labels]:
    """A clip's labels.json -> (header, per-frame instances); a clear error if it is unreadable."""
    try:
        doc = json.loads(Path(path).read_text())
        return doc, [[Instance.from_json(d) for d in fr] for fr in doc["frames"]]
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise KickyError(f"corrupt label cache {path}: {e.__class__.__name__}: {e} (delete it to relabel)") from None


def _label_one(args) -> dict:
    path, out, teacher, classes, fp = args
    clip = load_clip(path)
    C = tuple(classes)
    backends = _chain.setdefault(fp, build_chain(teacher["chain"], teacher["backends"], teacher["ontology"]))
    labels = run_chain(backends, clip, C, teacher["mode"])
    doc = {"version": LABELS_VERSION, "clip_id": clip.clip_id, "fingerprint": fp, "chain": teacher["chain"],
           "mode": teacher["mode"], "classes": classes, "fps": clip.fps, "n_frames": len(clip),
           "height": clip.shape[0], "width": clip.shape[1]}
    agree = teacher.get("agreement") or {}
    if agree.get("enabled"):
        others = [run_chain(build_chain([n], teacher["backends"], teacher["ontology"]), clip, C)
                  for n in agree.get("with") or []]
        raw = labels
        labels, doc["agreement"] = agreement_filter(labels, others, agree["px"], agree["window"], agree["max_residual"])
        if clip.truth is not None:
            doc["quality_raw"] = clip_quality(raw, clip.truth, C)
    doc["coverage"] = coverage(labels, C)
    if clip.truth is not None:
        doc["quality"] = clip_quality(labels, clip.truth, C)
    doc["frames"] = [[i.to_json() for i in fr] for fr in labels]
    write_json(Path(out) / clip.clip_id / "labels.json", doc)
    return {k: v for k, v in doc.items() if k != "frames"}


def _done(path: Path, fp: str) -> dict | None:
    if not path.is_file():
        return None
    try:
        doc = json.loads(path.read_text())
    except (OSError, ValueError):
        return None   # a corrupt cache (not ours: our writes are atomic) is relabelled
    if doc.get("fingerprint") != fp:
        return None
    return {k: v for k, v in doc.items() if k != "frames"}


def check(conf: dict) -> None:
    t = conf["teacher"]
    if not t.get("chain"):
        raise KickyError("teacher.chain is empty: name at least one backend, e.g. teacher.chain=[motion]")
    if t.get("mode") not in MODES:
        raise KickyError(f"teacher.mode={t.get('mode')!r}: use one of {', '.join(MODES)}")
    bad = [c for c in conf["classes"] if c not in t["ontology"]]
    if bad:
        raise KickyError(f"classes {bad} have no prompt in teacher.ontology")


def run(conf: dict) -> dict:
    check(conf)
    teacher, classes = conf["teacher"], list(conf["classes"])
    out = Path(conf["out"])
    fp = fingerprint(teacher, classes)
    for be in _chain.setdefault(fp, build_chain(teacher["chain"], teacher["backends"], teacher["ontology"])):
        if hasattr(be, "check"):
            be.check()   # config and weights/servers first, then the clips
    clips = find_clips(conf["clips"])
    heads, todo = split_done(clips, lambda c: _done(out / c / "labels.json", fp))
    if heads:
        print(f"{len(heads)}/{len(clips)} clips already labelled in {out}, labelling {len(todo)}")
    jobs = [(p, out, teacher, classes, fp) for p in todo]
    workers = max(1, int(conf.get("workers", 1)))
    if workers == 1 or len(jobs) <= 1:
        for j in tqdm(jobs, desc="labelling", unit="clip"):
            h = _label_one(j)
            heads[h["clip_id"]] = h
    else:
        with ProcessPoolExecutor(workers, mp_context=mp.get_context("spawn"), initializer=_init_worker) as ex:
            for f in tqdm(as_completed([ex.submit(_label_one, j) for j in jobs]), total=len(jobs),
                          desc="labelling", unit="clip"):
                h = f.result()
                heads[h["clip_id"]] = h
    return write_reports([heads[clip_id(p)] for p in clips], teacher, classes, out, Path(conf["reports"]))


def _init_worker():
    import cv2
    cv2.setNumThreads(1)
