"""Per-split statistics of a built dataset: images, annotations per class, ball size in pixels, and
(for a tiles dataset) how many images are tiles and how many hold no annotation."""
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
    out = {"images": len(coco["images"]), "clips": len({i["clip_id"] for i in coco["images"]}),
           "annotations": per, "ball_px": size}
    tiles = [im["id"] for im in coco["images"] if "tile" in im]
    if tiles:
        annotated = {a["image_id"] for a in coco["annotations"]}
        out["tiles"] = {"images": len(tiles), "empty": sum(i not in annotated for i in tiles)}
    return out


def stats_table(stats: dict[str, dict], classes: tuple[str, ...]) -> str:
    tiled = any("tiles" in s for s in stats.values())
    lines = ["| split | clips | images | " + ("tiles (empty) | " if tiled else "") + " | ".join(classes)
             + " | ball px p10 / p50 / p90 |",
             "|---|---:|---:|" + "---:|" * (len(classes) + tiled) + "---|"]
    for split, s in stats.items():
        bp = s["ball_px"]
        size = f"{bp['p10']} / {bp['p50']} / {bp['p90']}" if bp else "-"
        t = s.get("tiles", {"images": 0, "empty": 0})
        lines.append(f"| {split} | {s['clips']} | {s['images']:,} | "
                     + (f"{t['images']:,} ({t['empty']:,}) | " if tiled else "")
                     + " | ".join(f"{s['annotations'][c]:,}" for c in classes) + f" | {size} |")
    return "\n".join(lines)
