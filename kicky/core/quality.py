"""How good are a teacher's labels? Per-class precision, recall and mean IoU against simulator truth.

A label matches a truth instance of its class when their mask IoU reaches `iou` — except the ball,
a few pixels wide at the sample resolution, which matches when its centre lies within
`ball_px` pixels (or one ball diameter, whichever is larger) of the true centre. Matching is greedy by
IoU / distance, one-to-one, per frame."""
from __future__ import annotations

import numpy as np

from kicky.core.instances import Instance, Labels
from kicky.io.rle import decode


def _centre(mask: np.ndarray) -> np.ndarray:
    ys, xs = np.nonzero(mask)
    return np.array([xs.mean() + 0.5, ys.mean() + 0.5]) if len(xs) else np.array([np.nan, np.nan])


def _iou(a: np.ndarray, b: np.ndarray) -> float:
    u = np.logical_or(a, b).sum()
    return float(np.logical_and(a, b).sum() / u) if u else 0.0


def match_frame(pred: list[Instance], truth: list[np.ndarray], cls: str, iou: float, ball_px: float):
    """Greedy one-to-one matching; returns (matched IoUs, n_pred, n_truth)."""
    pairs = []
    for i, p in enumerate(pred):
        for j, t in enumerate(truth):
            v = _iou(p.mask, t)
            if cls == "ball":
                d = np.linalg.norm(_centre(p.mask) - _centre(t))
                diam = np.sqrt(t.sum() * 4 / np.pi)
                ok = d <= max(ball_px, diam)
                key = -d
            else:
                ok, key = v >= iou, v
            if ok:
                pairs.append((key, i, j, v))
    pairs.sort(reverse=True)
    used_p, used_t, ious = set(), set(), []
    for _, i, j, v in pairs:
        if i not in used_p and j not in used_t:
            used_p.add(i), used_t.add(j), ious.append(v)
    return ious, len(pred), len(truth)


def clip_quality(labels: Labels, truth: dict, classes: tuple[str, ...], iou: float = 0.5,
                 ball_px: float = 3.0) -> dict[str, dict]:
    """Counts per class over one clip: tp, n_pred, n_truth, iou_sum (summed into the set totals)."""
    out = {c: {"tp": 0, "n_pred": 0, "n_truth": 0, "iou_sum": 0.0} for c in classes}
    for insts, fr in zip(labels, truth["frames"]):
        for c in classes:
            pred = [p for p in insts if p.cls == c]
            tru = [decode(d["rle"]) for d in fr["instances"] if d["class"] == c]
            if not pred and not tru:
                continue
            ious, n_p, n_t = match_frame(pred, tru, c, iou, ball_px)
            s = out[c]
            s["tp"] += len(ious)
            s["n_pred"] += n_p
            s["n_truth"] += n_t
            s["iou_sum"] += sum(ious)
    return out


def summarise(counts: list[dict[str, dict]]) -> dict[str, dict]:
    """Sum clip counts and turn them into precision / recall / mean IoU of matches per class."""
    total: dict[str, dict] = {}
    for c in counts:
        for cls, s in c.items():
            t = total.setdefault(cls, {"tp": 0, "n_pred": 0, "n_truth": 0, "iou_sum": 0.0})
            for k in t:
                t[k] += s[k]
    return {cls: {"precision": round(t["tp"] / t["n_pred"], 4) if t["n_pred"] else None,
                  "recall": round(t["tp"] / t["n_truth"], 4) if t["n_truth"] else None,
                  "iou": round(t["iou_sum"] / t["tp"], 4) if t["tp"] else None,
                  "labels": t["n_pred"], "truth": t["n_truth"]} for cls, t in total.items()}
