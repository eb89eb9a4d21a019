"""COCO instance-segmentation JSON (RLE masks) for one split, as rfdetr's loader reads it."""
from __future__ import annotations

from pathlib import Path

from kicky.core.instances import Instance
from kicky.io.rle import box_and_area, encode

ANN = "_annotations.coco.json"   # one per split directory, as rfdetr reads it


def class_names(doc: dict) -> list[str]:
    """The class names of a COCO dict, in category-id order (= the model's class ids)."""
    return [c["name"] for c in sorted(doc["categories"], key=lambda c: c["id"])]


def problem(doc: dict, folder: Path) -> str | None:
    """What makes a split's COCO dict unusable for training, or None: an image file that is not in
    `folder`, an annotation without a 4-number bbox, a segmentation or a known image / category."""
    images = {im["id"]: im for im in doc["images"]}
    for im in doc["images"]:
        if not (folder / im["file_name"]).is_file():
            return f"image {folder / im['file_name']} is missing"
    cats = {c["id"] for c in doc["categories"]}
    for a in doc["annotations"]:
        box = a.get("bbox")
        if not isinstance(box, list) or len(box) != 4:
            return f"annotation {a.get('id')} has no bbox [x, y, w, h]"
        if "segmentation" not in a:
            return f"annotation {a.get('id')} has no segmentation"
        if a.get("image_id") not in images or a.get("category_id") not in cats:
            return f"annotation {a.get('id')} names an unknown image or category"
    return None


class CocoWriter:
    """Accumulates images and annotations of one split. Category ids are 0..N-1 in class order."""

    def __init__(self, classes: tuple[str, ...]):
        self.classes = classes
        self.images: list[dict] = []
        self.annotations: list[dict] = []

    def add(self, file_name: str, width: int, height: int, insts: list[Instance], meta: dict) -> None:
        image_id = len(self.images)
        self.images.append({"id": image_id, "file_name": file_name, "width": width, "height": height, **meta})
        for inst in insts:
            if inst.cls not in self.classes or not inst.mask.any():
                continue
            r = encode(inst.mask)
            box, area = box_and_area(r)
            self.annotations.append({
                "id": len(self.annotations), "image_id": image_id, "category_id": self.classes.index(inst.cls),
                "bbox": box, "area": area, "iscrowd": 0, "segmentation": r,
                "score": round(float(inst.score), 4), "source": inst.source})

    def extend(self, part: "CocoWriter") -> None:
        """Append another writer's images and annotations (a clip built elsewhere), renumbering ids."""
        i0, a0 = len(self.images), len(self.annotations)
        self.images += [{**im, "id": im["id"] + i0} for im in part.images]
        self.annotations += [{**a, "id": a["id"] + a0, "image_id": a["image_id"] + i0} for a in part.annotations]

    def to_json(self) -> dict:
        cats = [{"id": i, "name": c, "supercategory": "football"} for i, c in enumerate(self.classes)]
        return {"info": {"description": "kicky teacher labels"}, "images": self.images,
                "annotations": self.annotations, "categories": cats}
