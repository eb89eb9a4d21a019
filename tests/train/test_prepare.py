"""The fast input path (`speed.pre_resize`): a dataset copy at the training size, masks and boxes
resized with it, cached until the source annotations change."""
import json

import cv2
import numpy as np

from kicky.dataset.coco import ANN
from kicky.dataset.splits import SPLITS
from kicky.io.rle import decode, encode
from kicky.train.prepare import prepare, resize_annotation


def test_prepare_resizes_images_masks_and_boxes(dataset):
    res = 64
    out = prepare(dataset, res, workers=1)
    assert out == dataset.parent / f"{dataset.name}_r{res}"
    for split in SPLITS:
        src = json.loads((dataset / split / ANN).read_text())
        got = json.loads((out / split / ANN).read_text())
        assert [a["id"] for a in got["annotations"]] == [a["id"] for a in src["annotations"]]
        assert {(im["width"], im["height"]) for im in got["images"]} == {(res, res)}
        for im, im0 in zip(got["images"], src["images"]):
            assert im["source_size"] == [im0["width"], im0["height"]]
            assert cv2.imread(str(out / split / im["file_name"])).shape == (res, res, 3)
        for a, a0 in zip(got["annotations"], src["annotations"]):
            m = decode(a["segmentation"])
            assert m.shape == (res, res) and m.any()
            ys, xs = np.nonzero(m)
            assert np.allclose(a["bbox"], [xs.min(), ys.min(), np.ptp(xs) + 1, np.ptp(ys) + 1])
            x, y, w, h = a0["bbox"]   # the resized box lies inside the source box scaled (+ a pixel)
            im0 = next(i for i in src["images"] if i["id"] == a0["image_id"])
            sx, sy = res / im0["width"], res / im0["height"]
            bx, by, bw, bh = a["bbox"]
            assert bx >= x * sx - 1 and by >= y * sy - 1, (a["bbox"], a0["bbox"])
            assert bx + bw <= (x + w) * sx + 1 and by + bh <= (y + h) * sy + 1, (a["bbox"], a0["bbox"])


def test_prepare_is_cached_until_the_source_changes(dataset, tmp_path):
    import shutil
    src = tmp_path / "ds"
    shutil.copytree(dataset, src)
    out = prepare(src, 32, workers=1)
    stamp = (out / "prepared.json").stat().st_mtime_ns
    assert prepare(src, 32, workers=1) == out and (out / "prepared.json").stat().st_mtime_ns == stamp
    coco = json.loads((src / "train" / ANN).read_text())
    coco["annotations"] = coco["annotations"][:1]
    (src / "train" / ANN).write_text(json.dumps(coco))
    prepare(src, 32, workers=1)
    assert len(json.loads((out / "train" / ANN).read_text())["annotations"]) == 1


def test_a_ball_smaller_than_a_pixel_at_the_training_size_keeps_its_centre():
    m = np.zeros((400, 400), bool)
    m[201:203, 301:303] = True   # a 2-px ball; at 8 px it would vanish under area resizing
    a = {"id": 0, "image_id": 0, "category_id": 0, "bbox": [301, 201, 2, 2], "area": 4.0,
         "segmentation": encode(m)}
    r = resize_annotation(a, 8 / 400, 8 / 400, 8)
    small = decode(r["segmentation"])
    assert small.sum() == 1 and small[4, 6]
    assert r["bbox"] == [6.0, 4.0, 1.0, 1.0] and r["area"] == 1.0
