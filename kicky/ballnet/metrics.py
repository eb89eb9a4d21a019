"""Ball AP of top-k peaks against one (or no) true box per image, COCO-style: greedy matching by
score, AP from the precision envelope at 101 recall points; AP50 at IoU 0.5 and AP averaged over
IoU 0.50:0.95. Used for the validation metric on the cached valid crops."""
from __future__ import annotations

import numpy as np

IOUS = np.linspace(0.5, 0.95, 10)


def box_iou(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """IoU of boxes a (N, 4) and b (N, 4) row by row (0 where b is NaN)."""
    ix = np.clip(np.minimum(a[:, 2], b[:, 2]) - np.maximum(a[:, 0], b[:, 0]), 0, None)
    iy = np.clip(np.minimum(a[:, 3], b[:, 3]) - np.maximum(a[:, 1], b[:, 1]), 0, None)
    inter = ix * iy
    area = lambda x: (x[:, 2] - x[:, 0]) * (x[:, 3] - x[:, 1])  # noqa: E731
    union = area(a) + area(b) - inter
    with np.errstate(invalid="ignore", divide="ignore"):
        v = inter / union
    return np.nan_to_num(v, nan=0.0)


def _ap(scores: np.ndarray, tp: np.ndarray, n_truth: int) -> float | None:
    if n_truth == 0:
        return None
    if not len(scores):
        return 0.0
    order = np.argsort(-scores, kind="stable")
    tp = tp[order].astype(float)
    ctp = np.cumsum(tp)
    recall, precision = ctp / n_truth, ctp / np.arange(1, len(tp) + 1)
    precision = np.maximum.accumulate(precision[::-1])[::-1]
    idx = np.searchsorted(recall, np.linspace(0, 1, 101), side="left")
    return float(np.where(idx < len(precision), precision[np.minimum(idx, len(precision) - 1)], 0.0).mean())


def _matches(boxes: np.ndarray, scores: np.ndarray, truth: np.ndarray, thr: float) -> np.ndarray:
    """(N, k) True where a peak is the best-scored one of its image to reach IoU >= thr."""
    N, k = scores.shape
    ious = np.stack([box_iou(boxes[:, j], truth) for j in range(k)], 1)
    tp = np.zeros((N, k), bool)
    for i in range(N):
        for j in np.argsort(-scores[i], kind="stable"):
            if ious[i, j] >= thr:
                tp[i, j] = True
                break
    return tp


def ball_scores(boxes: np.ndarray, scores: np.ndarray, truth: np.ndarray, threshold: float) -> dict:
    """boxes (N, k, 4) and scores (N, k) of N images' top-k peaks, truth (N, 4) (NaN: no ball) ->
    {AP, AP50, recall, precision (at IoU 0.5 and score >= threshold), n_truth, n_pred}."""
    has = np.isfinite(truth).all(1)
    n_truth = int(has.sum())
    aps = []
    for thr in IOUS:
        tp = _matches(boxes, scores, truth, thr)
        aps.append(_ap(scores.ravel(), tp.ravel(), n_truth))
    tp50 = _matches(boxes, scores, truth, 0.5)
    kept = scores >= threshold
    n_pred, n_tp = int(kept.sum()), int((tp50 & kept).sum())
    return {"AP": None if aps[0] is None else float(np.mean(aps)), "AP50": aps[0],
            "recall": n_tp / n_truth if n_truth else None, "precision": n_tp / n_pred if n_pred else None,
            "n_truth": n_truth, "n_pred": n_pred}
