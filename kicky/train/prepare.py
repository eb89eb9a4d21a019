"""The fast input path: a copy of a built dataset with every image (and mask) already at the training
size, so the loader decodes res x res JPEGs instead of full frames and resizes nothing. rfdetr
square-resizes every image to res x res anyway; doing it once here moves that work out of training.
Cached next to the source (`<dataset>_r<res>`), rebuilt when the source annotations change."""
from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import cv2
import numpy as np
from tqdm import tqdm

from kicky.dataset.coco import ANN
from kicky.dataset.splits import SPLITS
from kicky.io.atomic import staged_dir, write_json
from kicky.io.pool import worker_pool
from kicky.io.rle import box_and_area, decode, encode


def fingerprint(src: Path, res: int) -> str:
    h = hashlib.sha256(f"r{res}".encode())
    for split in SPLITS:
        h.update((src / split / ANN).read_bytes())
    return h.hexdigest()[:16]


def resize_annotation(a: dict, sx: float, sy: float, res: int) -> dict | None:
    m = decode(a["segmentation"]).astype(np.uint8)
    small = cv2.resize(m, (res, res), interpolation=cv2.INTER_AREA if min(sx, sy) < 1 else cv2.INTER_NEAREST)
    if not small.any():      # a 1-px ball can vanish at the training size: keep its centre pixel
        x, y, w, h = a["bbox"]
        small[min(res - 1, int((y + h / 2) * sy)), min(res - 1, int((x + w / 2) * sx))] = 1
    r = encode(small)
    box, area = box_and_area(r)
    return {**a, "bbox": box, "area": area, "segmentation": r}


def _image(job: tuple[str, str, int, int]) -> None:
    src, dst, res, quality = job
    img = cv2.imread(src, cv2.IMREAD_COLOR)
    cv2.imwrite(dst, cv2.resize(img, (res, res), interpolation=cv2.INTER_AREA), [cv2.IMWRITE_JPEG_QUALITY, quality])


def prepare(src: str | Path, res: int, workers: int = 0, quality: int = 95) -> Path:
    """`src` resized to res x res (images, boxes, RLE masks); returns the cached copy's path."""
    src = Path(src)
    out = src.parent / f"{src.name}_r{res}"
    key = fingerprint(src, res)
    if (out / "prepared.json").is_file() and json.loads((out / "prepared.json").read_text()).get("key") == key:
        return out
    workers = workers or max(1, (os.cpu_count() or 2) - 1)
    with staged_dir(out, "prepared.json") as tmp:
        jobs = []
        for split in SPLITS:
            coco = json.loads((src / split / ANN).read_text())
            (tmp / split).mkdir()
            scale = {im["id"]: (res / im["width"], res / im["height"]) for im in coco["images"]}
            coco["annotations"] = [resize_annotation(a, *scale[a["image_id"]], res) for a in coco["annotations"]]
            for im in coco["images"]:
                jobs.append((str(src / split / im["file_name"]), str(tmp / split / im["file_name"]), res, quality))
                im.update(width=res, height=res, source_size=[im["width"], im["height"]])
            write_json(tmp / split / ANN, coco)
        with worker_pool(workers) as pool:
            list(tqdm(pool.map(_image, jobs, chunksize=16), total=len(jobs), desc=f"pre-resize to {res}",
                      unit="img", leave=False))
        write_json(tmp / "prepared.json", {"key": key, "source": str(src), "res": res})
    return out
