"""Detection AP with pycocotools: AP@50:95 and AP@50, bbox and segm, overall and per class (area
range all, 100 detections per image), plus the precision/recall curve per class at IoU 0.5."""
from __future__ import annotations

import contextlib
import io

import numpy as np
from pycocotools.coco import COCO
from pycocotools.cocoeval import COCOeval

from kicky.core.instances import Instance
from kicky.io.rle import encode

IOU_TYPES = ("bbox", "segm")


def results(dets: list[list[Instance]], frames: dict[int, int], classes: list[str]) -> dict[str, list[dict]]:
    """COCO results of one clip's detections on the frames that are images ({frame: image id}):
    {'bbox': [...], 'segm': [...]} (kept apart so each evaluation sees only its own geometry)."""
    out = {"bbox": [], "segm": []}
    for t, img in frames.items():
        if t >= len(dets):
            continue
        for d in dets[t]:
            if d.cls not in classes:
                continue
            x0, y0, x1, y1 = (float(v) for v in d.box)
            base = {"image_id": img, "category_id": classes.index(d.cls), "score": float(d.score)}
            out["bbox"].append({**base, "bbox": [x0, y0, x1 - x0, y1 - y0]})
            out["segm"].append({**base, "segmentation": encode(d.mask)})
    return out


def gt_coco(gt: dict) -> COCO:
    coco = COCO()
    coco.dataset = gt
    with contextlib.redirect_stdout(io.StringIO()):
        coco.createIndex()
    return coco


def _ap(p: np.ndarray) -> float | None:
    v = p[p > -1]
    return float(v.mean()) if v.size else None


def score(gt: COCO, res: list[dict], img_ids: list[int], classes: list[str], iou_type: str) -> dict:
    """{AP, AP50, per_class: {class: {AP, AP50}}, pr: {class: {recall, precision}}} on `img_ids`.
    A class with no truth instance on these images scores None; no detections at all scores 0."""
    cats = list(range(len(classes)))
    if not img_ids:   # (pycocotools reads an empty id list as "all images")
        return {"AP": None, "AP50": None, "per_class": {c: {"AP": None, "AP50": None} for c in classes},
                "pr": {c: {"recall": [], "precision": []} for c in classes}}
    has_gt = {c: bool(gt.getAnnIds(imgIds=img_ids, catIds=[k])) for k, c in enumerate(classes)}
    res = [r for r in res if r["image_id"] in set(img_ids)]
    if not res:
        per = {c: ({"AP": 0.0, "AP50": 0.0} if has_gt[c] else {"AP": None, "AP50": None}) for c in classes}
        any_gt = any(has_gt.values())
        return {"AP": 0.0 if any_gt else None, "AP50": 0.0 if any_gt else None, "per_class": per,
                "pr": {c: {"recall": [], "precision": []} for c in classes}}
    with contextlib.redirect_stdout(io.StringIO()):
        dt = gt.loadRes([dict(r) for r in res])
        ev = COCOeval(gt, dt, iou_type)
        ev.params.imgIds, ev.params.catIds = list(img_ids), cats
        ev.evaluate()
        ev.accumulate()
    prec = ev.eval["precision"][:, :, :, 0, -1]        # [iou, recall, class] at area all, maxDets 100
    i50 = int(np.argmin(np.abs(ev.params.iouThrs - 0.5)))
    rec = ev.params.recThrs
    out = {"AP": _ap(prec), "AP50": _ap(prec[i50]), "per_class": {}, "pr": {}}
    for k, c in enumerate(classes):
        out["per_class"][c] = {"AP": _ap(prec[:, :, k]), "AP50": _ap(prec[i50, :, k])}
        p = prec[i50, :, k]
        ok = p > -1
        out["pr"][c] = {"recall": [round(float(v), 3) for v in rec[ok]],
                        "precision": [round(float(v), 4) for v in p[ok]]}
    return out
