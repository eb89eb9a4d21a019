"""The annotation tools' server settings (the `annotate` group): one typed schema, the only source of
its defaults (conf/annotate/default.yaml says the same; tests/test_configs.py holds them to it),
checked once when a tool starts: unknown keys, wrong kinds, a port out of range, and a host other
than loopback without `public=true`."""
from __future__ import annotations

from dataclasses import dataclass

from kicky.core.config import overlay, schema_defaults, served


@dataclass(frozen=True)
class AnnotateConfig:
    host: str = "127.0.0.1"
    public: bool = False
    port: int = 7870


def annotate_settings(cfg: dict | None) -> dict:
    return served(overlay(schema_defaults(AnnotateConfig), cfg, "annotate"), "annotate", "the tools bind")
