"""How the student runs (the `student` group): one typed schema, the only source of its defaults
(conf/student/default.yaml says the same; tests/test_configs.py holds them to it), laid under what a
stage sets and checked once when the student is built (unknown keys, wrong kinds, bad choices).
Ranges and the slice settings that depend on the trained run are checked by `slice_settings`."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional, Union

from kicky.core.config import overlay, schema_defaults

MODES = ("grid", "roi")


@dataclass(frozen=True)
class Slice:
    mode: str = "grid"
    tile: Optional[int] = None
    overlap: int = 32
    iou: float = 0.5
    classes: list = field(default_factory=lambda: ["ball"])
    batch: Optional[int] = 64
    radius: int = 96
    grow: int = 48
    lost: int = 8
    regrid: int = 30
    horizon: int = 4


@dataclass(frozen=True)
class StudentConfig:
    """The `student` group; what each value means: conf/student/default.yaml's comments."""
    device: str = "auto"
    fp16: Union[str, bool] = "auto"
    batch: int = 8
    threshold: float = 0.3
    sliced: bool = False
    slice: Slice = field(default_factory=Slice)


CHOICES = {"fp16": ("auto", True, False), "slice.mode": MODES}   # keys within the group
NULLABLE = ("slice.tile", "slice.batch")


def student_settings(cfg: dict | None = None, top_level: bool = False) -> dict:
    """The full `student` group: the schema's defaults with `cfg` on top, checked. `top_level`: `cfg`
    is a stage's whole config that holds the group's keys among its own (detect, realframes), so only
    those are taken."""
    base = schema_defaults(StudentConfig)
    own = {k: v for k, v in (cfg or {}).items() if k in base or not top_level}
    sl = own.get("slice")
    if isinstance(sl, dict) and isinstance(sl.get("classes"), str):   # slice.classes=ball: one class
        own["slice"] = {**sl, "classes": [sl["classes"]]}
    return overlay(base, own, "" if top_level else "student", CHOICES, NULLABLE)
