"""A report against simulator truth, with DESIGN's metric definitions: goal accuracy over all clips,
foot accuracy over shot clips with a shooter, pose capture and speed error over shot clips."""
from __future__ import annotations

import numpy as np

from kicky.analysis.analyse import analyse
from kicky.analysis.config import settings
from kicky.analysis.report import ShotReport


def score_report(report: ShotReport, truth: dict) -> dict:
    """Per-clip scores; None where the metric does not apply. A shot with no speed scores error 1."""
    shot = truth.get("kind") == "shot"
    true_goal = bool(truth.get("is_goal", truth.get("outcome") == "goal"))
    err = lambda v: None if not shot else (1.0 if v is None else abs(v - truth["speed_kmh"]) / truth["speed_kmh"])  # noqa: E731
    return {"clip": truth.get("clip_id"), "outcome": truth.get("outcome"), "kind": truth.get("kind"),
            "goal_pred": report.goal, "goal_reason": report.goal_reason, "goal_correct": report.goal == true_goal,
            "foot_correct": (report.kicking_foot == truth["kicking_foot"]) if shot and truth.get("shooter") else None,
            "pose_captured": report.pose_captured if shot else None,
            "speed_error": err(report.speed_kmh), "speed_error_plain": err(report.speed_plain_kmh),
            "kick_error": (None if report.kick_frame is None else report.kick_frame - truth["kick_frame"])
            if shot else None}


def analyse_and_score(detections: list, clip, analysis: dict | None, pose: bool,
                      truth: dict | None = None) -> tuple[ShotReport, dict]:
    """Analyse one clip's detections (MediaPipe pose on its frames when `pose`) and score the report
    against `truth` (default: the clip's own). Without pose (no frames, or `pose.enabled: false`),
    pose capture was not measured (None), not failed; nor was the foot when it comes from the pose."""
    rep = analyse(detections, clip.fps, (lambda t: clip.frames[t]) if pose else None, analysis)
    row = score_report(rep, truth if truth is not None else clip.truth)
    c = settings(analysis)
    if not (pose and c["pose"]["enabled"]):
        row["pose_captured"] = None
        if c["foot"]["method"] == "pose":
            row["foot_correct"] = None
    return rep, row


def _mean(rows: list[dict], key: str) -> float | None:
    v = [r[key] for r in rows if r.get(key) is not None]
    return float(np.mean(v)) if v else None


def summarise(rows: list[dict]) -> dict:
    """goal_acc, foot_acc, pose_capture, speed_err_median / _p90 (and of the plain formula), n."""
    err = [r["speed_error"] for r in rows if r.get("speed_error") is not None]
    plain = [r["speed_error_plain"] for r in rows if r.get("speed_error_plain") is not None]
    q = lambda v, p: float(np.percentile(v, p)) if v else None  # noqa: E731
    return {"n": len(rows), "n_shots": sum(r.get("kind") == "shot" for r in rows),
            "goal_acc": _mean(rows, "goal_correct"), "foot_acc": _mean(rows, "foot_correct"),
            "pose_capture": _mean(rows, "pose_captured"),
            "speed_err_median": q(err, 50), "speed_err_p90": q(err, 90),
            "speed_err_plain_median": q(plain, 50), "speed_err_plain_p90": q(plain, 90)}
