"""The web app's settings (the `app` group): one typed schema, the only source of its defaults
(conf/app/default.yaml says the same; tests/test_configs.py holds them to it), overlaid with what the
command line sets and checked once when the app starts (unknown keys, wrong kinds, bad choices)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from kicky.core.config import overlay, schema_defaults
from kicky.core.domain import SPLITS


@dataclass(frozen=True)
class Gallery:
    clips: str = "data/clips"
    data: Optional[str] = None
    split: str = "test"
    max: int = 24


@dataclass(frozen=True)
class AppConfig:
    """The `app` group; what each value means: conf/app/default.yaml's comments."""
    host: str = "127.0.0.1"
    public: bool = False
    port: int = 7860
    work: str = "outputs/app"
    session_cap_mb: int = 500
    session_ttl_min: int = 120
    max_upload_mb: int = 200
    max_seconds: int = 30
    upload_detector: str = "teacher"
    analysis_workers: int = 1
    coach_workers: int = 2
    gallery: Gallery = field(default_factory=Gallery)


CHOICES = {"upload_detector": ("teacher", "student"), "gallery.split": SPLITS}


def settings(cfg: dict | None = None) -> dict:
    """The full `app` group: the schema's defaults with `cfg` on top, checked."""
    return overlay(schema_defaults(AppConfig), cfg, "app", CHOICES)
