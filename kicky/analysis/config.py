"""The analysis settings: conf/analysis/default.yaml, overlaid with whatever the caller passes."""
from __future__ import annotations

import copy
from functools import lru_cache
from pathlib import Path

import yaml

from kicky.errors import KickyError

DEFAULTS = Path(__file__).resolve().parents[2] / "conf" / "analysis" / "default.yaml"


@lru_cache(maxsize=1)
def _defaults() -> dict:
    if not DEFAULTS.is_file():
        raise KickyError(f"analysis defaults not found at {DEFAULTS}: run from a kicky checkout")
    return yaml.safe_load(DEFAULTS.read_text())


def merge(base: dict, over: dict, path: str = "analysis") -> dict:
    """`base` with `over` laid on top, key by key; an unknown key is a user error."""
    out = copy.deepcopy(base)
    for k, v in (over or {}).items():
        if k not in base:
            raise KickyError(f"{path}: unknown key {k!r}; known: {sorted(base)}")
        number = lambda x: isinstance(x, (int, float)) and not isinstance(x, bool)  # noqa: E731
        if number(base[k]) and not number(v):
            raise KickyError(f"{path}.{k} must be a number, got {v!r}")
        out[k] = merge(base[k], v, f"{path}.{k}") if isinstance(base[k], dict) and isinstance(v, dict) else v
    return out


def settings(cfg: dict | None = None) -> dict:
    """The full analysis config: defaults with `cfg` (the `analysis` group as a dict) on top."""
    return merge(_defaults(), cfg or {})
