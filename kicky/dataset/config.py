"""The dataset's settings (the `dataset` group): one typed schema, the only source of its defaults
(conf/dataset/classes3.yaml says the same, classes5 changes only its name, classes and derive;
tests/test_configs.py holds them to it), laid under what the YAML and the command line set and checked
once at the start of the build and train stages: unknown keys, wrong kinds, bad choices, ranges."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from kicky.checks import number
from kicky.core.config import overlay, schema_defaults
from kicky.core.domain import SPLITS
from kicky.dataset.derive import CLASSES5, RULES
from kicky.errors import KickyError


@dataclass(frozen=True)
class Split:
    train: float = 0.7
    valid: float = 0.15
    test: float = 0.15
    seed: int = 0


@dataclass(frozen=True)
class Sampling:
    every: int = 5
    fast_px: float = 6.0
    around: int = 3


@dataclass(frozen=True)
class Tiles:
    enabled: bool = False
    size: int = 384
    per_frame: int = 4
    keep_full: bool = True
    around_ball: float = 0.7
    around_player: float = 0.1
    random: float = 0.1
    empty: float = 0.1
    min_visible: float = 0.25
    min_visible_px: int = 256
    seed: int = 0


def _aug(**kw):
    return field(default_factory=lambda: kw)


@dataclass(frozen=True)
class Augment:
    """albumentations transforms at train time (kicky.dataset.augment: rfdetr's aug_config); p: 0 drops one."""
    enabled: bool = True
    motion_blur: dict = _aug(p=0.3, blur_limit=[3, 9])
    jpeg: dict = _aug(p=0.3, quality_range=[35, 85])
    rotate: dict = _aug(p=0.3, limit=25)
    brightness: dict = _aug(p=0.4, brightness_limit=0.25, contrast_limit=0.2)
    shadow: dict = _aug(p=0.2)
    scale: dict = _aug(p=0.3, scale_limit=0.25)
    hflip: dict = _aug(p=0.5)


@dataclass(frozen=True)
class Derive:
    rule: str = "accompany"
    dilate_px: int = 2


@dataclass(frozen=True)
class DatasetConfig:
    """The `dataset` group; what each value means: conf/dataset/classes3.yaml's comments."""
    name: str = "classes3"
    classes: list = field(default_factory=lambda: ["ball", "player", "goal"])
    derive: Optional[Derive] = None
    split: Split = field(default_factory=Split)
    sampling: Sampling = field(default_factory=Sampling)
    jpeg_quality: int = 92
    tiles: Tiles = field(default_factory=Tiles)
    augment: Augment = field(default_factory=Augment)


def dataset_settings(ds: dict | None) -> dict:
    """The full `dataset` group: the schema's defaults with `ds` on top, typed and in range (one
    clear error naming the key), before any work."""
    out = overlay(schema_defaults(DatasetConfig), ds, "dataset", nullable=("derive",))
    if not isinstance(out["name"], str) or not out["name"]:
        raise KickyError(f"dataset.name must be a name, got {out['name']!r}")
    bad = [c for c in out["classes"] if c not in CLASSES5]
    if bad or not out["classes"] or len(set(out["classes"])) < len(out["classes"]):
        raise KickyError(f"dataset.classes={out['classes']}: distinct classes drawn from {', '.join(CLASSES5)}")
    if out["derive"] is not None:
        if not isinstance(out["derive"], dict):
            raise KickyError(f"dataset.derive must be null or {{rule, dilate_px}}, got {out['derive']!r}")
        out["derive"] = overlay(schema_defaults(Derive), out["derive"], "dataset.derive", {"rule": RULES})
    def within(group: dict, path: str, key: str, kind, low, high=float("inf")):
        group[key] = number({f"{path}.{key}": group[key]}, f"{path}.{key}", kind, low, high)
    for key, kind, low in (("every", int, 1), ("fast_px", float, 0.0), ("around", int, 0)):
        within(out["sampling"], "dataset.sampling", key, kind, low)
    for key in (*SPLITS, "seed"):
        within(out["split"], "dataset.split", key, int if key == "seed" else float, 0)
    within(out, "dataset", "jpeg_quality", int, 1, 100)
    for name, a in out["augment"].items():
        if name == "enabled":
            continue
        if not isinstance(a, dict) or "p" not in a:
            raise KickyError(f"dataset.augment.{name} must be a transform's settings like {{p: 0.3}}, got {a!r}")
        within(a, f"dataset.augment.{name}", "p", float, 0.0, 1.0)
    return out
