"""The built dataset loads through rfdetr's own dataset builder (masks included), and the
augmentation config reaches rfdetr's train pipeline: it changes train images, never valid ones."""
import json

import pytest
import torch

from kicky.dataset.augment import aug_config
from kicky.errors import KickyError

from rfdetr import config as rfdetr_config  # noqa: E402
from rfdetr._namespace import _namespace_from_configs  # noqa: E402
from rfdetr.datasets import build_dataset  # noqa: E402

from .test_build import _build  # noqa: E402

AUG = {"enabled": True, "motion_blur": {"p": 1.0, "blur_limit": [5, 9]}, "jpeg": {"p": 1.0, "quality_range": [20, 40]},
       "rotate": {"p": 1.0, "limit": 25}, "brightness": {"p": 1.0, "brightness_limit": 0.3, "contrast_limit": 0.2},
       "shadow": {"p": 0.0}, "scale": {"p": 0.0, "scale_limit": 0.2}, "hflip": {"p": 0.0}}


def _rf(ds_dir, aug, split):
    mc = rfdetr_config.RFDETRSegNanoConfig(num_classes=3)
    tc = rfdetr_config.SegmentationTrainConfig(dataset_dir=str(ds_dir), aug_config=aug, multi_scale=False,
                                               expanded_scales=False, scale_jitter=False)
    return build_dataset(split, _namespace_from_configs(mc, tc), mc.resolution)


def test_rfdetr_loads_dataset_with_masks(labelled):
    _build(labelled, "classes3")
    ds_dir = labelled / "classes3"
    coco = json.loads((ds_dir / "train" / "_annotations.coco.json").read_text())
    ds = _rf(ds_dir, {}, "train")
    assert len(ds) == len(coco["images"])
    i = next(k for k, im in enumerate(coco["images"])
             if sum(a["image_id"] == im["id"] for a in coco["annotations"]) >= 3)
    img, tgt = ds[i]
    n = sum(a["image_id"] == coco["images"][i]["id"] for a in coco["annotations"])
    assert img.shape[0] == 3 and tgt["masks"].shape[0] == n == len(tgt["labels"])
    assert tgt["masks"].dtype == torch.bool and tgt["masks"].flatten(1).any(1).all()
    assert set(tgt["labels"].tolist()) <= {0, 1, 2}


def test_augmentation_applies_to_train_only(labelled):
    _build(labelled, "classes3")
    ds_dir = labelled / "classes3"
    plain, aug = _rf(ds_dir, {}, "train"), _rf(ds_dir, aug_config(AUG), "train")
    assert float((plain[0][0] - aug[0][0]).abs().mean()) > 0.05
    v_plain, v_aug = _rf(ds_dir, {}, "val"), _rf(ds_dir, aug_config(AUG), "val")
    assert torch.equal(v_plain[0][0], v_aug[0][0])


def test_aug_config_mapping():
    cfg = aug_config(AUG)
    assert set(cfg) == {"MotionBlur", "ImageCompression", "Rotate", "RandomBrightnessContrast"}
    assert cfg["Rotate"] == {"limit": 25, "p": 1.0}
    assert aug_config({**AUG, "enabled": False}) == {}
    with pytest.raises(KickyError, match="unknown dataset.augment"):
        aug_config({**AUG, "fisheye": {"p": 1}})


def test_rfdetr_loads_tiles_dataset(labelled):
    """A tiles dataset (native-resolution crops, some with no annotation) through rfdetr's builder."""
    out = labelled / "tiles_rf"
    _build(labelled, "classes3", out=out, **{"dataset.tiles.enabled": "true", "dataset.tiles.size": 96,
                                             "dataset.tiles.keep_full": "false", "dataset.tiles.empty": 0.5,
                                             "dataset.sampling.every": 12})
    coco = json.loads((out / "train" / "_annotations.coco.json").read_text())
    ds = _rf(out, {}, "train")
    assert len(ds) == len(coco["images"]) and all("tile" in im for im in coco["images"])
    n_of = {im["id"]: 0 for im in coco["images"]}
    for a in coco["annotations"]:
        n_of[a["image_id"]] += 1
    empty = next(k for k, im in enumerate(coco["images"]) if n_of[im["id"]] == 0)
    full = max(range(len(coco["images"])), key=lambda k: n_of[coco["images"][k]["id"]])
    for k in (empty, full):
        img, tgt = ds[k]
        assert img.shape[0] == 3 and tgt["masks"].shape[0] == n_of[coco["images"][k]["id"]] == len(tgt["labels"])
        assert tuple(tgt["orig_size"].tolist()) == (96, 96)
    assert tgt["masks"].flatten(1).any(1).all()
