"""Masks as COCO run-length encoding (pycocotools), in the JSON-safe form every file of ours uses:
{"size": [h, w], "counts": str}."""
from __future__ import annotations

import numpy as np
from pycocotools import mask as mask_utils


def encode(mask: np.ndarray) -> dict:
    """A boolean (h, w) mask as JSON-safe RLE."""
    r = mask_utils.encode(np.asfortranarray(np.asarray(mask).astype(np.uint8)))
    return {"size": [int(v) for v in r["size"]], "counts": r["counts"].decode("ascii")}


def decode(rle: dict) -> np.ndarray:
    """JSON-safe (or pycocotools) RLE back to a boolean (h, w) mask."""
    c = rle["counts"]
    if isinstance(c, list):  # uncompressed RLE, as some COCO tools write
        r = mask_utils.frPyObjects(rle, *rle["size"])
    else:
        r = {"size": rle["size"], "counts": c.encode("ascii") if isinstance(c, str) else c}
    return mask_utils.decode(r).astype(bool)


def box_and_area(rle: dict) -> tuple[list[float], float]:
    """COCO [x, y, w, h] box and pixel area of a JSON-safe RLE."""
    r = {"size": rle["size"], "counts": rle["counts"].encode("ascii")}
    return [float(v) for v in mask_utils.toBbox(r)], float(mask_utils.area(r))
