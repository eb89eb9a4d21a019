"""The detection ground truth: simulator truth (not the dataset's teacher labels) for the frames the
dataset picked, as one COCO instance-segmentation dict over every split. Image ids are unique across
splits, so one COCO object serves each split (by image ids) and the overall score."""
from __future__ import annotations

import json
from pathlib import Path

from kicky.dataset.coco import ANN, class_names
from kicky.errors import KickyError
from kicky.dataset.splits import SPLITS


def dataset_images(dataset: str | Path) -> tuple[list[dict], dict[str, str], list[str]]:
    """(images, split of every clip, classes) of a built dataset. Images are
    {id, clip_id, frame, width, height, split}, sorted by clip and frame."""
    dataset = Path(dataset)
    manifest = dataset / "manifest.json"
    missing = [str(dataset / s / ANN) for s in SPLITS if not (dataset / s / ANN).is_file()]
    if missing or not manifest.is_file():
        raise KickyError(f"no built dataset at {dataset} (missing {(missing or [str(manifest)])[0]}): "
                         f"run `python -m kicky.dataset` (dvc stage build), or point data= at a built dataset")
    try:
        man = json.loads(manifest.read_text())
        images, classes = [], None
        for s in SPLITS:
            doc = json.loads((dataset / s / ANN).read_text())
            classes = classes or class_names(doc)
            images += [{"clip_id": i["clip_id"], "frame": int(i["frame"]), "width": int(i["width"]),
                        "height": int(i["height"]), "split": s} for i in doc["images"]]
        splits = dict(man["splits"])
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise KickyError(f"unreadable dataset {dataset}: {e.__class__.__name__}: {e}: rebuild it with "
                         f"`python -m kicky.dataset`") from None
    images.sort(key=lambda i: (i["clip_id"], i["frame"]))
    for k, im in enumerate(images):
        im["id"] = k + 1
    return images, splits, classes


def truth_gt(images: list[dict], truths: dict[str, dict], classes: list[str]) -> dict:
    """COCO ground truth of `images` from each clip's truth.json: one annotation per truth instance of
    a class in `classes` (category id = index in `classes`, as in the dataset), RLE masks."""
    anns = []
    for im in images:
        truth = truths.get(im["clip_id"])
        if truth is None:
            raise KickyError(f"no simulator truth for clip {im['clip_id']}: detection AP is measured against "
                             f"truth.json, so the dataset's clips must be simulated ones")
        if (truth["width"], truth["height"]) != (im["width"], im["height"]):
            raise KickyError(f"dataset image {im['clip_id']}:{im['frame']} is {im['width']}x{im['height']} but the "
                             f"clip is {truth['width']}x{truth['height']}: rebuild the dataset from these clips")
        for d in truth["frames"][im["frame"]]["instances"]:
            if d["class"] in classes:
                anns.append({"id": len(anns) + 1, "image_id": im["id"], "category_id": classes.index(d["class"]),
                             "segmentation": d["rle"], "area": float(d["area"]), "bbox": [float(v) for v in d["bbox"]],
                             "iscrowd": 0})
    return {"images": [{"id": im["id"], "width": im["width"], "height": im["height"],
                        "file_name": f"{im['clip_id']}_{im['frame']:05d}.jpg"} for im in images],
            "annotations": anns, "categories": [{"id": i, "name": c} for i, c in enumerate(classes)]}
