"""The analysis settings: conf/analysis/default.yaml, overlaid with whatever the caller passes."""
from __future__ import annotations

import copy
from functools import lru_cache
from pathlib import Path

import yaml

from kicky.analysis.speed import METHODS
from kicky.errors import KickyError

DEFAULTS = Path(__file__).resolve().parents[2] / "conf" / "analysis" / "default.yaml"


@lru_cache(maxsize=1)
def _defaults() -> dict:
    if not DEFAULTS.is_file():
        raise KickyError(f"analysis defaults not found at {DEFAULTS}: run from a kicky checkout")
    return yaml.safe_load(DEFAULTS.read_text())


CHOICES = {"analysis.speed.method": METHODS, "analysis.foot.method": ("pose", "runup", "combined")}


def _kind_error(path: str, default, v) -> str | None:
    """Why `v` cannot replace `default` (a number for a number, >= 0 where the default is, true/false
    for a flag, a list for a list, a known choice), or None."""
    number = lambda x: isinstance(x, (int, float)) and not isinstance(x, bool)  # noqa: E731
    if number(default):
        if not number(v):
            return f"{path} must be a number, got {v!r}"
        if default >= 0 > v:
            return f"{path}={v} must be >= 0"
    elif isinstance(default, bool) and not isinstance(v, bool):
        return f"{path} must be true or false, got {v!r}"
    elif isinstance(default, list) and not isinstance(v, list):
        return f"{path} must be a list like {default}, got {v!r}"
    elif path in CHOICES and v not in CHOICES[path]:
        return f"{path}={v!r}: use one of {', '.join(CHOICES[path])}"
    return None


def merge(base: dict, over: dict, path: str = "analysis") -> dict:
    """`base` with `over` laid on top, key by key; an unknown key or a value of the wrong kind is a
    user error."""
    out = copy.deepcopy(base)
    for k, v in (over or {}).items():
        if k not in base:
            raise KickyError(f"{path}: unknown key {k!r}; known: {sorted(base)}")
        bad = _kind_error(f"{path}.{k}", base[k], v)
        if bad:
            raise KickyError(bad)
        out[k] = merge(base[k], v, f"{path}.{k}") if isinstance(base[k], dict) and isinstance(v, dict) else v
    return out


def settings(cfg: dict | None = None) -> dict:
    """The full analysis config: defaults with `cfg` (the `analysis` group as a dict) on top."""
    return merge(_defaults(), cfg or {})
