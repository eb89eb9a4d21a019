"""The evaluation as markdown: the headline table (rows = detectors; goal accuracy, balanced accuracy,
precision, recall / leg / pose capture / speed error / fps, over all clips), the goal calls by true
outcome, the same per split, and detection AP per split and class."""
from __future__ import annotations

from kicky.analysis.scoring import outcome_table, summarise


HEADLINE = ("goal_acc", "goal_balanced_acc", "foot_acc", "pose_capture", "speed_err_median")


def headline_figures(ev: dict) -> dict:
    """What `dvc metrics show / diff` compares across experiments: per source, on the held-out test
    split (every clip when no test clip was scored), ball and mean segm AP and the downstream figures
    (leg = foot_acc), and x real-time. The full evaluation stays in eval.json."""
    def split_of(s: dict) -> str:
        return "test" if (s["downstream"].get("test") or {}).get("n") else "overall"
    out = {}
    for name, s in ev["sources"].items():
        sp = split_of(s)
        segm = (s["detection"].get(sp) or {}).get("segm") or {"per_class": {}, "AP": None}   # no dataset: no AP
        out[name] = {"split": sp, "ball_AP": (segm["per_class"].get("ball") or {}).get("AP"), "mAP": segm["AP"],
                     **{k: s["downstream"][sp].get(k) for k in HEADLINE},
                     "x_realtime": (s.get("throughput") or {}).get("x_realtime")}
    return {"n_clips": ev.get("n_clips"), "sources": out}


def pct(x) -> str:
    return "-" if x is None else f"{100 * x:.1f} %"


def num(x, fmt: str = ".1f") -> str:
    return "-" if x is None else format(x, fmt)


def goal(d: dict) -> str:
    """The goal cells: accuracy | balanced accuracy | precision | recall."""
    return " | ".join(pct(d[k]) for k in ("goal_acc", "goal_balanced_acc", "goal_precision", "goal_recall"))


def headline(ev: dict) -> str:
    lines = ["| detector | goal acc | goal bal. acc | goal precision | goal recall | leg acc | pose capture "
             "| speed err median | speed err p90 | detector fps | x real-time |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for name, s in ev["sources"].items():
        d, t = s["downstream"]["overall"], s["throughput"]
        rt = num(t["x_realtime"], ".2f") if t["x_realtime"] is not None else \
            f"{num(t['analysis_x_realtime'], '.2f')} (analysis)"
        lines.append(f"| {name} | {goal(d)} | {pct(d['foot_acc'])} | {pct(d['pose_capture'])} "
                     f"| {pct(d['speed_err_median'])} | {pct(d['speed_err_p90'])} | {num(t['detect_fps'])} | {rt} |")
    return "\n".join(lines)


def per_split(ev: dict) -> str:
    lines = ["| detector | split | clips | shots | goals | goal acc | goal bal. acc | goal precision | goal recall "
             "| leg acc | pose capture | speed err median | speed err p90 |",
             "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for name, s in ev["sources"].items():
        for split, d in s["downstream"].items():
            if not d["n"]:
                continue
            lines.append(f"| {name} | {split} | {d['n']} | {d['n_shots']} | {d['n_goals']} | {goal(d)} "
                         f"| {pct(d['foot_acc'])} | {pct(d['pose_capture'])} | {pct(d['speed_err_median'])} "
                         f"| {pct(d['speed_err_p90'])} |")
    return "\n".join(lines)


def detection(ev: dict) -> str:
    classes = ev["classes"]
    head = "| detector | split | images | bbox AP | bbox AP50 | segm AP | segm AP50 | " + \
        " | ".join(f"{c} segm AP / AP50" for c in classes) + " |"
    lines = [head, "|---|---|---:|" + "---:|" * (4 + len(classes))]
    for name, s in ev["sources"].items():
        for split, a in s["detection"].items():
            if not a["images"]:
                continue
            b, m = a["bbox"], a["segm"]
            cells = [f"{num(m['per_class'][c]['AP'], '.3f')} / {num(m['per_class'][c]['AP50'], '.3f')}" for c in classes]
            lines.append(f"| {name} | {split} | {a['images']} | {num(b['AP'], '.3f')} | {num(b['AP50'], '.3f')} "
                         f"| {num(m['AP'], '.3f')} | {num(m['AP50'], '.3f')} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def by_input(results: dict[str, list[dict]]) -> str:
    """The analysis benchmark's table (no dataset: the inputs are simulator truth, clean and degraded):
    one line per source with the plain speed formula's error too, the goal calls by true outcome, then
    the first source by outcome."""
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
    first = next(iter(results), None)
    rows = results.get(first, [])
    lines += ["", f"{first} by outcome:", "", head.replace("| input", "| outcome")]
    for o in sorted({r["kind"] if r["kind"] != "shot" else r["outcome"] for r in rows}):
        lines.append(line(o, summarise([r for r in rows if (r["kind"] if r["kind"] != "shot" else r["outcome"]) == o])))
    return "\n".join(lines)


def markdown(ev: dict, rows: dict[str, list[dict]] | None = None) -> str:
    """The evaluation's markdown; `rows` (each source's per-clip scores, given when there is no
    dataset) adds the analysis benchmark's table by input and by outcome."""
    m = ev["machine"]
    parts = [
        f"# Evaluation: {ev['n_clips']} clips of {ev['clips']}, against simulator truth",
        "Downstream over all clips (goal accuracy over all clips; leg accuracy, pose capture and speed error "
        "|pred - true| / true over shot clips; \"goal\" is the positive class: balanced accuracy = the mean of "
        "the recall on goals and on non-goals, so always answering \"no goal\" scores 50 %; `-`: undefined, "
        "e.g. precision without a predicted goal):", headline(ev),
        f"Throughput on {m}: detector fps from the detector's own record (`-`: none kept; the oracle needs no "
        "detector), x real-time = clip duration / (detection + analysis time).",
        "Goal calls by true outcome over all clips (each cell: clips called goal / called no goal):",
        outcome_table({name: s["downstream"]["overall"] for name, s in ev["sources"].items()})]
    if rows is None:
        parts += ["Per split (a clip's split from the dataset manifest; `overall` = all clips):", per_split(ev),
                  "Detection AP (pycocotools, area all, 100 detections per image) on the dataset's frames, against "
                  "simulator truth:", detection(ev)]
    else:
        parts += ["No dataset (`data: null`): no detection AP. By input (simulator truth, clean and degraded):",
                  by_input(rows)]
    return "\n\n".join(parts) + "\n"
