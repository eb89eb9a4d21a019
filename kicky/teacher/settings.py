"""The teacher group's own settings (conf/teacher/base.yaml: window, agreement), typed and checked
once before any clip, with one clear error naming the key; each backend checks its own block."""
from __future__ import annotations

from dataclasses import dataclass, fields

from kicky.checks import number, typed
from kicky.errors import KickyError


# No defaults here: the values live in conf/teacher/base.yaml only (two copies drift apart).
@dataclass(frozen=True)
class Window:
    seconds: float      # a long clip is labelled in windows of this length ...
    megapixels: float   # ... and at most this many frame pixels
    overlap: float      # seconds neighbours share


@dataclass(frozen=True)
class Agreement:
    enabled: bool
    px: float           # a second source's ball within this many pixels agrees
    window: int         # frames each side of the physical-consistency fit
    max_residual: float  # ... which must pass within this many pixels


def _build(kind, block, where: str):
    block = dict(block or {})
    names = {f.name for f in fields(kind)}
    extra = sorted(set(block) - names)
    if extra:
        raise KickyError(f"{where}.{extra[0]}: unknown setting; {where} takes {', '.join(sorted(names))}")
    missing = sorted(names - set(block))
    if missing:
        raise KickyError(f"{where}.{missing[0]} is missing (conf/teacher/base.yaml sets it)")
    obj = kind(**block)
    typed(obj, where)
    return obj


def _ranges(obj, where: str, limits) -> None:
    for key, kind, low in limits:
        try:
            number(vars(obj), key, kind, low)
        except KickyError as e:
            raise KickyError(f"{where}.{e}") from None


def check_settings(teacher: dict, backends: tuple[str, ...]) -> None:
    """teacher.window and teacher.agreement as their kinds and in range, `agreement.with` naming
    known backends: one KickyError naming the key otherwise."""
    if teacher.get("window"):
        _ranges(_build(Window, teacher["window"], "teacher.window"), "teacher.window",
                (("seconds", float, 0.5), ("megapixels", float, 1.0), ("overlap", float, 0.0)))
    agree = dict(teacher.get("agreement") or {})
    others = agree.pop("with", []) or []
    _ranges(_build(Agreement, agree, "teacher.agreement"), "teacher.agreement",
            (("px", float, 1e-6), ("window", int, 1), ("max_residual", float, 1e-6)))
    if not isinstance(others, (list, tuple)):
        raise KickyError(f"teacher.agreement.with={others!r}: expected a list of backends, e.g. [sam3]")
    unknown = [n for n in others if n not in backends]
    if unknown:
        raise KickyError(f"teacher.agreement.with: unknown backend {unknown[0]!r}: choose from {', '.join(backends)}")
