"""Train-time augmentation for the footage's failure modes, as rfdetr's `aug_config` (a dict of
albumentations transform name -> kwargs that rfdetr applies to the train split only, moving masks
and boxes with geometric transforms). Built from the `dataset.augment` config."""
from __future__ import annotations

from kicky.errors import KickyError

KNOWN = ("enabled", "motion_blur", "jpeg", "rotate", "brightness", "shadow", "scale", "hflip")


def aug_config(augment: dict | None) -> dict:
    """{} (no augmentation) when disabled; otherwise motion blur in random directions, JPEG
    artefacts, camera tilt, brightness/contrast, cast shadows, scale jitter and horizontal flips."""
    if not augment or not augment.get("enabled", False):
        return {}
    bad = [k for k in augment if k not in KNOWN]
    if bad:
        raise KickyError(f"unknown dataset.augment keys {bad}: known are {', '.join(KNOWN)}")
    out: dict[str, dict] = {"HorizontalFlip": {"p": float((augment.get("hflip") or {}).get("p", 0.5))}}
    if (a := augment.get("motion_blur")):
        out["MotionBlur"] = {"blur_limit": tuple(a["blur_limit"]), "allow_shifted": True, "p": a["p"]}
    if (a := augment.get("jpeg")):
        out["ImageCompression"] = {"quality_range": tuple(a["quality_range"]), "p": a["p"]}
    if (a := augment.get("rotate")):
        out["Rotate"] = {"limit": a["limit"], "p": a["p"]}
    if (a := augment.get("brightness")):
        out["RandomBrightnessContrast"] = {"brightness_limit": a["brightness_limit"],
                                           "contrast_limit": a["contrast_limit"], "p": a["p"]}
    if (a := augment.get("shadow")):
        out["RandomShadow"] = {"p": a["p"]}
    if (a := augment.get("scale")):
        out["Affine"] = {"scale": (1 - a["scale_limit"], 1 + a["scale_limit"]), "p": a["p"]}
    return {k: v for k, v in out.items() if v.get("p", 0) > 0}
