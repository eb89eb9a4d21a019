"""The analysis over a folder of simulated clips on oracle detections (simulator truth), clean and
degraded: goal / foot / pose / speed against truth, overall and by outcome, as JSON and markdown."""
from __future__ import annotations

import contextlib
from functools import partial
from pathlib import Path

import numpy as np

from kicky.core.domain import CLASSES
from kicky.analysis.degrade import degrade
from kicky.analysis.scoring import analyse_and_score, outcome_table, summarise
from kicky.checks import number
from kicky.core.clips import find_clips, load_clip
from kicky.core.truth import truth_instances
from kicky.errors import KickyError
from kicky.io.atomic import write_json, write_text
from kicky.io.pool import worker_pool


def oracle_detections(clip) -> list:
    return truth_instances(clip, CLASSES)


def settings_grid(cfg: dict) -> list[dict]:
    """The input conditions: clean oracle first, then each degradation of `cfg['degrade']`."""
    zero = {"drop": 0.0, "jitter_px": 0.0, "false_balls": 0.0, "drop_still": 0.0, "drop_goal": 0.0, "ball_only": False}
    rows = [{"name": "oracle", **zero, "pose": True}]
    for d in cfg.get("degrade") or []:
        if not isinstance(d, dict) or set(d) - {"name", "pose", *zero}:
            raise KickyError(f"degrade entries look like {{drop: 0.3, jitter_px: 2, false_balls: 1, drop_still: 0.8, "
                             f"drop_goal: 0.8, ball_only: true}}, got {d}")
        d = {**zero, "pose": False, **d}
        d.setdefault("name", "_".join(f"{k}{v:g}" if not isinstance(v, bool) else k for k, v in d.items()
                                      if k in zero and v))
        rows.append(d)
    return rows


def lens_settings(analysis: dict | None, truth: dict) -> dict:
    """The analysis settings with the clip's true focal length (a calibrated lens) as speed.focal_frac."""
    a = dict(analysis or {})
    a["speed"] = {**(a.get("speed") or {}), "focal_frac": truth["camera"]["K"][0][0] / truth["width"]}
    return a


def evaluate_clip(path: Path, conditions: list[dict], analysis: dict, seed: int,
                  known_lens: bool = False) -> dict[str, dict]:
    """{condition name: score row} for one clip."""
    clip = load_clip(path, stream=True)
    if clip.truth is None:
        raise KickyError(f"{path} has no truth.json: the analysis benchmark needs simulated clips")
    dets = oracle_detections(clip)
    if known_lens:
        analysis = lens_settings(analysis, clip.truth)
    out = {}
    for i, c in enumerate(conditions):
        d = dets if c["name"] == "oracle" else degrade(
            dets, np.random.default_rng([seed, i]), c["drop"], c["jitter_px"], c["false_balls"],
            ("ball",) if c.get("ball_only") else ("ball", "player", "goal"), c.get("drop_still", 0.0),
            c.get("drop_goal", 0.0))
        out[c["name"]] = analyse_and_score(d, clip, analysis, c["pose"])[1]
    return out


def table(results: dict[str, list[dict]]) -> str:
    """Markdown: one line per condition (goal accuracy, balanced accuracy, precision, recall with "goal"
    as the positive class, ...), the goal calls by true outcome per condition, then the clean oracle by
    outcome."""
    f = lambda x: "-" if x is None else f"{100 * x:.1f} %"  # noqa: E731
    head = ("| input | n | goal acc | goal bal. acc | goal precision | goal recall | foot acc | pose capture "
            "| speed err median | speed err p90 | plain formula median / p90 |\n"
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    line = lambda name, s: (f"| {name} | {s['n']} | {f(s['goal_acc'])} | {f(s['goal_balanced_acc'])} "  # noqa: E731
                            f"| {f(s['goal_precision'])} | {f(s['goal_recall'])} | {f(s['foot_acc'])} "
                            f"| {f(s['pose_capture'])} "
                            f"| {f(s['speed_err_median'])} | {f(s['speed_err_p90'])} "
                            f"| {f(s['speed_err_plain_median'])} / {f(s['speed_err_plain_p90'])} |")
    summaries = {k: summarise(v) for k, v in results.items()}
    lines = [head] + [line(k, s) for k, s in summaries.items()]
    lines += ["", "goal calls by true outcome (clips called goal / called no goal):", "",
              outcome_table(summaries, "input")]
    rows = results.get("oracle", [])
    lines += ["", "oracle by outcome:", "", head.replace("| input", "| outcome")]
    for o in sorted({r["kind"] if r["kind"] != "shot" else r["outcome"] for r in rows}):
        lines.append(line(o, summarise([r for r in rows if (r["kind"] if r["kind"] != "shot" else r["outcome"]) == o])))
    return "\n".join(lines)


def run(cfg: dict) -> dict:
    """The app: analyse `n` clips of `clips` on oracle (and degraded) detections, print and write the table."""
    from tqdm import tqdm

    from kicky.analysis.config import settings
    settings(cfg.get("analysis"))             # checked before any clip
    if cfg["n"] is not None and cfg["n"] < 0:
        raise KickyError(f"n must be >= 0 (0 = all clips), got {cfg['n']}")
    if not isinstance(cfg.get("known_lens", False), bool):
        raise KickyError(f"known_lens must be true or false, got {cfg['known_lens']!r}")
    workers = number(cfg, "workers", int, 1)
    paths = find_clips(cfg["clips"])[: cfg["n"] or None]
    conditions = settings_grid(cfg)
    results: dict[str, list[dict]] = {c["name"]: [] for c in conditions}
    job = partial(evaluate_clip, conditions=conditions, analysis=cfg["analysis"], seed=cfg["seed"],
                  known_lens=cfg.get("known_lens", False))
    with contextlib.ExitStack() as stack:
        mapper = map if workers == 1 else stack.enter_context(worker_pool(workers)).map
        for rows in tqdm(mapper(job, paths), total=len(paths), desc="analysis", unit="clip"):
            for k, row in rows.items():
                results[k].append(row)
    md = table(results)
    print(md)
    out = {"clips": str(cfg["clips"]), "n": len(paths), "known_lens": cfg.get("known_lens", False),
           "conditions": conditions,
           "summary": {k: summarise(v) for k, v in results.items()}, "rows": results}
    write_json(Path(cfg["out"]) / "analysis.json", out, indent=1)
    write_text(Path(cfg["out"]) / "analysis.md", md + "\n")
    return out
