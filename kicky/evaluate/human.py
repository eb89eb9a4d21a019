"""Your own footage in the eval table: the goal annotator's labels (`<clips>/annotations.json`:
goal / no_goal / unsure, foot, kick frame) as the truth, for clips without simulator truth. Every
source goes through the same analysis; goal accuracy and balanced accuracy, leg accuracy and the
kick-frame error are scored against the human labels; unsure and unlabelled clips are left out and
counted; detection AP is not measured (no human masks)."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from kicky.errors import KickyError


def read_annotations(path: Path) -> dict[str, dict]:
    try:
        doc = json.loads(Path(path).read_text())
        clips = doc["clips"]
    except FileNotFoundError:
        raise KickyError(f"no annotations at {path}: label the clips first (python -m kicky.annotate goals "
                         f"clips=...)") from None
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise KickyError(f"corrupt annotations {path}: {e.__class__.__name__}: {e}") from None
    return clips if isinstance(clips, dict) else {}


def score(report, label: dict) -> dict:
    """One clip's scores against its human label (None where the label says nothing)."""
    true_goal = label["goal"] == "goal"
    foot, kick = label.get("foot"), label.get("kick_frame")
    return {"clip": label.get("clip"), "outcome": label["goal"], "kind": "shot" if (foot or kick is not None) else "no_shot",
            "goal_pred": bool(report.goal), "goal_true": true_goal, "goal_reason": report.goal_reason,
            "goal_correct": bool(report.goal) == true_goal,
            "foot_correct": None if not foot else report.kicking_foot == foot,
            "pose_captured": None, "speed_error": None, "speed_error_plain": None,
            "kick_error": None if kick is None or report.kick_frame is None else report.kick_frame - kick,
            "shot_found": report.shot_found}


def summary(rows: list[dict]) -> dict:
    from kicky.analysis.scoring import summarise
    s = summarise(rows)
    k = [abs(r["kick_error"]) for r in rows if r.get("kick_error") is not None]
    s["kick_err_median_frames"] = float(np.median(k)) if k else None
    s["kick_found"] = sum(r["kick_error"] is not None for r in rows)
    return s


def run(conf: dict) -> dict:
    from tqdm import tqdm

    from kicky.analysis.analyse import analyse
    from kicky.core.clips import clip_id, find_clips, load_clip
    from kicky.evaluate.sources import Source
    from kicky.io.atomic import write_json, write_text
    if not conf.get("sources"):
        raise KickyError("no sources to evaluate: give e.g. '+sources.motion={kind: labels, path: labels}'")
    sources = [Source(n, s or {}) for n, s in conf["sources"].items()]
    if any(s.kind in ("truth", "degraded") for s in sources):
        raise KickyError("truth=annotations scores against human labels: drop the simulator-truth source "
                         "(~sources.oracle)")
    path = Path(conf.get("annotations") or Path(conf["clips"]) / "annotations.json")
    labels = read_annotations(path)
    paths = {clip_id(p): p for p in find_clips(conf["clips"])}
    usable = {c: l for c, l in labels.items() if l.get("goal") in ("goal", "no_goal") and c in paths}
    unsure = sum(1 for c, l in labels.items() if l.get("goal") == "unsure" and c in paths)
    if not usable:
        raise KickyError(f"{path} has no clip labelled goal or no goal: label some with the goal annotator")
    for s in sources:
        s.check(sorted(usable))
    rows = {s.name: [] for s in sources}
    for cid in tqdm(sorted(usable), desc="evaluating (human labels)", unit="clip"):
        clip = load_clip(paths[cid], stream=True)
        pose = bool(conf.get("pose", True))
        for s in sources:
            dets, _ = s.detections(clip, ["ball", "player", "goal"])
            rep = analyse(dets, clip.fps, (lambda t: clip.frames[t]) if pose else None, conf.get("analysis"),
                          times=getattr(clip, "times", None))
            rows[s.name].append(score(rep, {**usable[cid], "clip": cid}))
    ev = {"truth": "annotations", "annotations": str(path), "clips": str(conf["clips"]), "n_labelled": len(usable),
          "n_unsure": unsure, "n_unlabelled": len(paths) - len(usable) - unsure, "detection": "not measured",
          "sources": {name: {"downstream": summary(r)} for name, r in rows.items()}}
    md = markdown(ev)
    metrics = Path(conf["metrics"])
    write_json(metrics / "eval_human.json", ev, indent=1)
    write_text(metrics / "eval_human.md", md)
    print(md)
    return ev


def markdown(ev: dict) -> str:
    pct = lambda v: "-" if v is None else f"{100 * v:.1f} %"  # noqa: E731
    lines = [f"# Evaluation on your own labels ({ev['annotations']})", "",
             f"{ev['n_labelled']} clips labelled goal / no goal; {ev['n_unsure']} unsure and {ev['n_unlabelled']} "
             f"unlabelled left out. Detection AP: not measured (no human masks).", "",
             "| detector | clips | goal acc | goal bal. acc | goal precision | goal recall | leg acc | kick found | kick error median (frames) |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for name, s in ev["sources"].items():
        d = s["downstream"]
        k = "-" if d["kick_err_median_frames"] is None else f"{d['kick_err_median_frames']:.1f}"
        lines.append(f"| {name} | {d['n']} | {pct(d['goal_acc'])} | {pct(d['goal_balanced_acc'])} | "
                     f"{pct(d['goal_precision'])} | {pct(d['goal_recall'])} | {pct(d['foot_acc'])} | {d['kick_found']} | {k} |")
    return "\n".join(lines) + "\n"
