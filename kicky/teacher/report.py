"""Reports of the label stage: coverage per clip and class (by source), clips where no backend found
the ball, and label quality against simulator truth — JSON for machines, markdown for people."""
from __future__ import annotations

from collections import Counter
from pathlib import Path

from kicky.core.instances import Labels
from kicky.core.quality import summarise
from kicky.io.atomic import write_json, write_text


def coverage(labels: Labels, classes: tuple[str, ...]) -> dict:
    """Per class: frames with at least one instance, and how many of those each source covered."""
    out = {}
    for c in classes:
        srcs = [{i.source for i in fr if i.cls == c} for fr in labels]
        out[c] = {"frames": len(labels), "covered": sum(1 for s in srcs if s),
                  "by_source": dict(Counter(x for s in srcs for x in s))}
    return out


def _pct(n: int, d: int) -> str:
    return f"{100 * n / d:.0f}%" if d else "-"


def quality_table(rows: dict[str, dict]) -> str:
    lines = ["| labels | class | precision | recall | IoU | labels | truth |", "|---|---|---:|---:|---:|---:|---:|"]
    f = lambda v: "-" if v is None else f"{v:.3f}"  # noqa: E731
    for name, q in rows.items():
        for c, s in q.items():
            lines.append(f"| {name} | {c} | {f(s['precision'])} | {f(s['recall'])} | {f(s['iou'])} | "
                         f"{s['labels']} | {s['truth']} |")
    return "\n".join(lines)


def headline(result: dict) -> dict:
    """What `dvc metrics show / diff` compares across labelling runs: coverage per class, how many
    clips have no ball, and label quality (precision / recall / IoU per source and class). The per-clip
    detail stays in label.json."""
    q = {src: {c: {k: s.get(k) for k in ("precision", "recall", "iou")} for c, s in per.items()}
         for src, per in (result.get("quality") or {}).items()}
    return {"clips": result["clips"], "noball_clips": len(result["noball_clips"]),
            "coverage": {c: s["coverage"] for c, s in result["coverage"].items()}, **({"quality": q} if q else {})}


def write_reports(heads: list[dict], teacher: dict, classes: list[str], out: Path, reports: Path) -> dict:
    C = tuple(classes)
    total = {c: {"frames": 0, "covered": 0, "by_source": Counter()} for c in C}
    lines = ["| clip | " + " | ".join(C) + " | sources |", "|---|" + "---:|" * len(C) + "---|"]
    for h in heads:
        cov = h["coverage"]
        for c in C:
            total[c]["frames"] += cov[c]["frames"]
            total[c]["covered"] += cov[c]["covered"]
            total[c]["by_source"].update(cov[c]["by_source"])
        srcs = sorted({s for c in C for s in cov[c]["by_source"]})
        lines.append(f"| {h['clip_id']} | " + " | ".join(_pct(cov[c]["covered"], cov[c]["frames"]) for c in C)
                     + f" | {', '.join(srcs) or '-'} |")
    noball = [h["clip_id"] for h in heads if "ball" in C and h["coverage"]["ball"]["covered"] == 0]
    summary = {c: {"frames": t["frames"], "covered": t["covered"],
                   "coverage": round(t["covered"] / t["frames"], 4) if t["frames"] else None,
                   "by_source": dict(t["by_source"])} for c, t in total.items()}
    result = {"chain": teacher["chain"], "mode": teacher["mode"], "clips": len(heads), "coverage": summary,
              "noball_clips": noball, "per_clip": {h["clip_id"]: h["coverage"] for h in heads}}
    quality = {}
    with_truth = [h for h in heads if "quality" in h]
    name = "+".join(teacher["chain"])
    if any("quality_raw" in h for h in with_truth):
        quality[name] = summarise([h.get("quality_raw", h["quality"]) for h in with_truth])
        quality[f"{name} + agreement"] = summarise([h["quality"] for h in with_truth])
        result["agreement"] = dict(sum((Counter(h.get("agreement", {})) for h in heads), Counter()))
    elif with_truth:
        quality[name] = summarise([h["quality"] for h in with_truth])
    if quality:
        result["quality"] = quality
        result["quality_clips"] = len(with_truth)
    write_json(out / "noball_clips.json", noball, indent=1)
    write_json(reports / "label.json", result, indent=1)
    write_json(reports / "label_headline.json", headline(result), indent=1)
    md = [f"# Teacher labels: {name} ({teacher['mode']} mode), {len(heads)} clips", "",
          "## Coverage (frames with at least one instance)", "",
          "| all clips | " + " | ".join(f"{c} {_pct(summary[c]['covered'], summary[c]['frames'])}" for c in C) + " |",
          "|---|" + "---|" * len(C), "", *lines, "",
          f"Clips with no ball from any backend ({len(noball)}): {', '.join(noball) or 'none'}", ""]
    if quality:
        md += [f"## Label quality against simulator truth ({len(with_truth)} clips)", "",
               "Match: mask IoU >= 0.5; ball: centre within max(3 px, one diameter).", "", quality_table(quality), ""]
        if "agreement" in result:
            md += [f"Agreement filter on ball labels: {result['agreement']}", ""]
    write_text(reports / "label.md", "\n".join(md))
    print("\n".join(md))
    return result
