"""Building backends from the `teacher` config group."""
from __future__ import annotations

from kicky.errors import KickyError
from kicky.teacher.backend import Backend

NAMES = ("motion", "sam3", "locate_anything", "oracle")


def build(name: str, conf: dict, ontology: dict[str, str], built: dict[str, Backend] | None = None) -> Backend:
    """One backend by name; `built` holds backends made earlier in the chain (LocateAnything uses a
    SAM3 backend there to turn its boxes into masks)."""
    built = built or {}
    opts = dict(conf.get(name) or {})
    if name == "motion":
        from kicky.teacher.motion import MotionBackend
        return MotionBackend(**opts)
    if name == "oracle":
        from kicky.teacher.oracle import OracleBackend
        return OracleBackend()
    if name == "sam3":
        from kicky.teacher.sam3 import Sam3Backend
        return Sam3Backend(ontology=ontology, **opts)
    if name == "locate_anything":
        from kicky.teacher.locate import LocateAnythingBackend
        refine = opts.pop("refine_with_sam3", True)
        return LocateAnythingBackend(ontology=ontology, refiner=built.get("sam3") if refine else None, **opts)
    raise KickyError(f"unknown teacher backend {name!r}: choose from {', '.join(NAMES)}")


def build_chain(names: list[str], conf: dict, ontology: dict[str, str]) -> list[Backend]:
    built: dict[str, Backend] = {}
    for n in names:
        try:
            built[n] = build(n, conf, ontology, built)
        except TypeError as e:
            raise KickyError(f"bad option for teacher backend {n}: {e}") from None
    return list(built.values())
