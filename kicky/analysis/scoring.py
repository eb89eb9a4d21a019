"""A report against simulator truth, with DESIGN's metric definitions: goal accuracy over all clips,
foot accuracy over shot clips with a shooter, pose capture and speed error over shot clips; and, with
"goal" as the positive class, goal precision / recall / balanced accuracy and the goal calls by true
outcome (a detector that always says "no goal" keeps a high accuracy on mostly non-goal clips, but
scores recall 0 and balanced accuracy 0.5)."""
from __future__ import annotations

import numpy as np

from kicky.core.domain import OUTCOMES
from kicky.analysis.analyse import analyse
from kicky.analysis.config import settings
from kicky.analysis.report import ShotReport


def score_report(report: ShotReport, truth: dict) -> dict:
    """Per-clip scores; None where the metric does not apply. A shot with no speed scores error 1."""
    shot = truth.get("kind") == "shot"
    true_goal = bool(truth.get("is_goal", truth.get("outcome") == "goal"))
    err = lambda v: None if not shot else (1.0 if v is None else abs(v - truth["speed_kmh"]) / truth["speed_kmh"])  # noqa: E731
    return {"clip": truth.get("clip_id"), "outcome": truth.get("outcome"), "kind": truth.get("kind"),
            "goal_pred": report.goal, "goal_true": true_goal, "goal_reason": report.goal_reason,
            "goal_correct": report.goal == true_goal,
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
    rep = analyse(detections, clip.fps, (lambda t: clip.frames[t]) if pose else None, analysis,
                  times=clip.times)
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


def _ratio(k: int, n: int) -> float | None:
    return k / n if n else None


def goal_scores(rows: list[dict]) -> dict:
    """"goal" as the positive class: precision (None without a predicted goal), recall (None without a
    true goal), balanced accuracy = the mean of the recall on goals and on non-goals (None unless both
    occur); and `outcomes` = {true outcome: {"pred_goal": n, "pred_no_goal": n}}, every simulator
    outcome listed (zeros where absent)."""
    pairs = [(bool(r["goal_true"]), bool(r["goal_pred"])) for r in rows]
    tp = sum(t and p for t, p in pairs)
    fp = sum(p and not t for t, p in pairs)
    fn = sum(t and not p for t, p in pairs)
    tn = sum(not t and not p for t, p in pairs)
    recall, specificity = _ratio(tp, tp + fn), _ratio(tn, tn + fp)
    outcomes = {o: {"pred_goal": 0, "pred_no_goal": 0} for o in OUTCOMES}
    for r in rows:
        o = outcomes.setdefault(str(r.get("outcome")), {"pred_goal": 0, "pred_no_goal": 0})
        o["pred_goal" if r["goal_pred"] else "pred_no_goal"] += 1
    return {"goal_precision": _ratio(tp, tp + fp), "goal_recall": recall,
            "goal_balanced_acc": None if recall is None or specificity is None else (recall + specificity) / 2,
            "outcomes": outcomes}


def summarise(rows: list[dict]) -> dict:
    """goal_acc, goal_precision / _recall / _balanced_acc, foot_acc, pose_capture, speed_err_median /
    _p90 (and of the plain formula), n, n_shots, n_goals; `outcomes`: the goal calls by true outcome."""
    err = [r["speed_error"] for r in rows if r.get("speed_error") is not None]
    plain = [r["speed_error_plain"] for r in rows if r.get("speed_error_plain") is not None]
    q = lambda v, p: float(np.percentile(v, p)) if v else None  # noqa: E731
    goal = goal_scores(rows)
    return {"n": len(rows), "n_shots": sum(r.get("kind") == "shot" for r in rows),
            "n_goals": sum(bool(r["goal_true"]) for r in rows),
            "goal_acc": _mean(rows, "goal_correct"), "goal_balanced_acc": goal["goal_balanced_acc"],
            "goal_precision": goal["goal_precision"], "goal_recall": goal["goal_recall"],
            "foot_acc": _mean(rows, "foot_correct"), "pose_capture": _mean(rows, "pose_captured"),
            "speed_err_median": q(err, 50), "speed_err_p90": q(err, 90),
            "speed_err_plain_median": q(plain, 50), "speed_err_plain_p90": q(plain, 90),
            "outcomes": goal["outcomes"]}


def outcome_table(summaries: dict[str, dict], label: str = "detector") -> str:
    """Markdown: one row per summary (a detector or an input condition), one column per true outcome;
    each cell = clips called goal / called no goal (right calls: the left number under goal, the right
    one elsewhere)."""
    cols = list(OUTCOMES) + sorted({o for s in summaries.values() for o in s["outcomes"]} - set(OUTCOMES))
    lines = [f"| {label} | " + " | ".join(cols) + " |", "|---|" + "---:|" * len(cols)]
    for name, s in summaries.items():
        cells = [s["outcomes"].get(o, {"pred_goal": 0, "pred_no_goal": 0}) for o in cols]
        lines.append(f"| {name} | " + " | ".join(f"{c['pred_goal']} / {c['pred_no_goal']}" for c in cells) + " |")
    return "\n".join(lines)
