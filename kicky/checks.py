"""Config values checked once, with one clear error naming the key: the base layer every stage uses
(a stage never imports the CLI layer for this)."""
from __future__ import annotations

import dataclasses

from kicky.errors import KickyError


def number(conf: dict, key: str, kind=float, low: float = 0.0, high: float = float("inf")):
    """conf[key] as `kind` within [low, high], or one clear error naming the key (an int `kind`
    takes whole numbers only: 2.5 is refused, not cut to 2)."""
    try:
        v = kind(conf[key])
    except (TypeError, ValueError):
        raise KickyError(f"{key}={conf[key]!r}: expected a number") from None
    if kind is int and not isinstance(conf[key], str) and float(conf[key]) != v:
        raise KickyError(f"{key}={conf[key]!r}: expected a whole number")
    if not low <= v <= high:
        raise KickyError(f"{key}={v} is out of range [{low}, {high}]")
    return v


def typed(obj, where: str) -> None:
    """Every field of dataclass `obj` of its declared kind (int, float, bool, str, dict, or a tuple of
    numbers such as a [lo, hi] range), else one clear error naming `where.<field>`."""
    def num(x, whole=False):
        return isinstance(x, int if whole else (int, float)) and not isinstance(x, bool)
    for f in dataclasses.fields(obj):
        v, kind = getattr(obj, f.name), str(f.type).replace(" ", "")
        if kind.startswith("tuple["):
            parts = kind[6:-1].split(",")
            ok = isinstance(v, (tuple, list)) and len(v) == len(parts) and all(
                num(x, p == "int") for x, p in zip(v, parts))
            nums = "whole numbers" if parts[0] == "int" else "numbers"
            want = f"a [lo, hi] pair of {nums}" if len(parts) == 2 else f"a list of {len(parts)} {nums}"
        else:
            check = {"int": lambda x: num(x, True), "float": num, "bool": lambda x: isinstance(x, bool),
                     "str": lambda x: isinstance(x, str), "dict": lambda x: isinstance(x, dict)}.get(kind)
            if check is None:
                continue
            ok = check(v)
            want = {"int": "a whole number", "float": "a number", "bool": "true or false", "str": "a text",
                    "dict": "a mapping {key: value}"}[kind]
        if not ok:
            raise KickyError(f"{where}.{f.name}={list(v) if isinstance(v, tuple) else v!r}: expected {want}")
