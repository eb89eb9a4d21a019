"""Per-split statistics of a built dataset: images, annotations per class, ball size in pixels."""
from __future__ import annotations

import numpy as np


def split_stats(coco: dict) -> dict:
    names = {c["id"]: c["name"] for c in coco["categories"]}
    per = {n: 0 for n in names.values()}
    ball = []
    for a in coco["annotations"]:
        per[names[a["category_id"]]] += 1
        if names[a["category_id"]] == "ball":
            ball.append(max(a["bbox"][2], a["bbox"][3]))
    b = np.array(ball)
    size = {k: round(float(np.percentile(b, q)), 1) for k, q in (("p10", 10), ("p50", 50), ("p90", 90))} if len(b) else {}
    return {"images": len(coco["images"]), "clips": len({i["clip_id"] for i in coco["images"]}),
            "annotations": per, "ball_px": size}


def stats_table(stats: dict[str, dict], classes: tuple[str, ...]) -> str:
    lines = ["| split | clips | images | " + " | ".join(classes) + " | ball px p10 / p50 / p90 |",
             "|---|---:|---:|" + "---:|" * len(classes) + "---|"]
    for split, s in stats.items():
        bp = s["ball_px"]
        size = f"{bp['p10']} / {bp['p50']} / {bp['p90']}" if bp else "-"
        lines.append(f"| {split} | {s['clips']} | {s['images']:,} | " + " | ".join(f"{s['annotations'][c]:,}" for c in classes)
                     + f" | {size} |")
    return "\n".join(lines)
