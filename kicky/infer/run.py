"""`infer.py`: any clip -> the ShotReport JSON and an annotated mp4 (H.264, moov first), with the
detections from a student checkpoint, a teacher backend or (simulated clips) the simulator's truth.
Both files appear together in one rename; a bad input stops before anything is written."""
from __future__ import annotations

import json
import sys
import time
from fractions import Fraction
from pathlib import Path

import numpy as np
import yaml

from kicky.checks import number
from kicky.core.clips import ClipInput
from kicky.core.domain import CLASSES
from kicky.errors import KickyError
from kicky.io.atomic import staged_dir, write_json

SOURCES = ("truth", "teacher", "student")


def load(path: str | Path | None, max_height: int | None = None) -> ClipInput:
    """The clip, streamed (decoded as it is read: any length in bounded memory), with the
    simulator's truth.json when one lies beside it (or in its clip dir)."""
    from kicky.core.clips import load_clip
    if not path:
        raise KickyError("clip= is required: a video file (or a clip dir holding clip.mp4)")
    path = Path(path)
    if path.is_file() and path.name == "clip.mp4":
        path = path.parent                      # a simulated clip dir: its name is the clip id
    clip = load_clip(path, stream=True, max_height=max_height)
    side = (path if path.is_dir() else path.parent) / "truth.json"
    if clip.truth is None and side.is_file():
        try:
            truth = json.loads(side.read_text())
        except json.JSONDecodeError as e:
            raise KickyError(f"corrupt {side}: {e}") from None
        if len(truth.get("frames", [])) == len(clip):
            clip.truth = truth
    return clip


class Detectors:
    """The detection models of a source, loaded once (a folder of clips reuses them): the student or
    the teacher's chain, and with `ballnet=` the ball specialist, whose ball replaces the source's
    (the default ball path: the student's players and goal, the specialist's ball)."""

    def __init__(self, conf: dict):
        self.conf, self.student, self.ballnet = conf, None, None
        if conf["source"] == "student":
            from kicky.detect.student import Student
            self.student = Student.from_config(conf["run"], conf["student"])
        if conf.get("ballnet"):
            from kicky.ballnet.detect import BallDetector
            from kicky.detect.config import student_settings
            s = student_settings(conf.get("student"))
            self.ballnet = BallDetector(conf["ballnet"], device=str(s["device"]), fp16=s["fp16"])

    def __call__(self, clip: ClipInput) -> tuple[list, dict]:
        """Per-frame instances of the clip, and what made them (with each pass's wall seconds)."""
        t0 = time.perf_counter()
        labels, detector = self._source(clip)
        detector["wall_seconds"] = round(time.perf_counter() - t0, 4)
        if self.ballnet is not None:
            t0 = time.perf_counter()
            balls, timing = self.ballnet.detect(iter(clip.frames))
            labels = [[i for i in f if i.cls != "ball"] + b for f, b in zip(labels, balls)]
            detector["ballnet"] = {**self.ballnet.describe(), **timing,
                                   "wall_seconds": round(time.perf_counter() - t0, 4)}
        return labels, detector

    def _source(self, clip: ClipInput) -> tuple[list, dict]:
        src = self.conf["source"]
        if src == "truth":
            from kicky.core.truth import truth_instances
            if clip.truth is None:
                raise KickyError(f"source=truth needs the simulator's truth.json beside {clip.path}: "
                                 f"use source=teacher or source=student for other footage")
            return truth_instances(clip, CLASSES), {"source": "truth"}
        if src == "teacher":
            from kicky.teacher.label import teach
            labels, _, _ = teach(clip, self.conf["teacher"], CLASSES)
            return labels, {"source": "teacher", "chain": self.conf["teacher"]["chain"]}
        with _bar(len(clip), "detecting") as bar:
            labels, timing = self.student.detect(clip.frames, progress=bar.update)
        return labels, {"source": "student", **self.student.describe(), **timing}


def _bar(n: int, what: str):
    """A progress bar on stderr for work over a clip's frames (quiet for a short clip)."""
    from tqdm import tqdm
    return tqdm(total=n, desc=what, unit="frame", leave=False, disable=n < 300, file=sys.stderr)


def _rate(fps: float):
    return int(round(fps)) if abs(fps - round(fps)) < 1e-3 else Fraction(fps).limit_denominator(1001)


def write_video(path: Path, frames: np.ndarray, labels: list, report: dict, fps: float) -> None:
    from kicky.infer.annotate import annotate
    from kicky.io.video import Mp4Writer
    H, W = frames.shape[1] // 2 * 2, frames.shape[2] // 2 * 2     # yuv420p needs even sides
    w = Mp4Writer(path, W, H, _rate(fps), bitrate=max(1_000_000, int(W * H * fps * 0.1)),
                  preset="superfast")   # 1080p: 40 % less encode time than veryfast, 4 % more bytes
    try:
        with _bar(len(frames), "drawing") as bar:
            for img in annotate(frames, labels, report):
                w.write(img[:H, :W])
                bar.update()
    finally:
        w.close()


def check(conf: dict) -> None:
    """Everything a run needs that can be checked before any model loads or any clip is read."""
    from kicky.analysis.config import settings
    settings(conf.get("analysis"))            # the analysis settings checked before any detection
    if conf.get("source") not in SOURCES:
        raise KickyError(f"source={conf.get('source')!r}: use one of {', '.join(SOURCES)}")
    if conf["source"] == "student" and not conf.get("run"):
        raise KickyError("source=student needs run=outputs/train/<run> (a training run dir)")
    number({"max_height": 1080, **conf}, "max_height", int, 0)


def clip_of(conf: dict) -> ClipInput:
    """conf's clip=, loaded at its max_height (checked by `check`)."""
    return load(conf.get("clip"), int(conf.get("max_height", 1080)) or None)


def run(conf: dict, detectors: Detectors | None = None) -> dict:
    """One clip -> its report and annotated video in out=; `detectors`: models already loaded."""
    check(conf)
    clip = clip_of(conf)
    labels, detector = (detectors or Detectors(conf))(clip)
    return finish(conf, clip, labels, detector)


def finish(conf: dict, clip: ClipInput, labels: list, detector: dict) -> dict:
    """The analysis of a detected clip, and its report + annotated mp4 written in one rename; the
    report's `timing` holds the analysis's and the video's seconds."""
    from kicky.analysis import analyse, score_report
    t0 = time.perf_counter()
    rep = analyse(labels, clip.fps, lambda t: clip.frames[t], conf.get("analysis"), times=clip.times)
    report = rep.to_json()
    timing = {"analysis_seconds": round(time.perf_counter() - t0, 4)}
    doc = {"clip_id": clip.clip_id, "clip": str(clip.path), "source": conf["source"], "detector": detector,
           **report}
    if clip.truth is not None:
        doc["truth"] = score_report(rep, {**clip.truth, "clip_id": clip.clip_id})
    out = out_dir(conf, clip.clip_id)
    video = f"{clip.clip_id}_annotated.mp4"
    with staged_dir(out, "report.json") as tmp:
        t0 = time.perf_counter()
        write_video(tmp / video, clip.frames, labels, report, clip.fps)
        timing["video_seconds"] = round(time.perf_counter() - t0, 4)
        write_json(tmp / "report.json", {**doc, "timing": timing}, indent=1)
        (tmp / "config.yaml").write_text(yaml.safe_dump(conf, sort_keys=False))
    from kicky.infer.annotate import summary
    print(f"kicky: {clip.clip_id}: {summary(report)} -> {out / video}, {out / 'report.json'}")
    return {**doc, "timing": timing}


def out_dir(conf: dict, clip_id: str) -> Path:
    """Where infer writes a clip's outputs: out=, else outputs/infer/<clip_id>."""
    return Path(conf.get("out") or Path("outputs/infer") / clip_id)
