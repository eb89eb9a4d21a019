"""Simulator truth as instances: the one place truth.json's per-frame instances become Instances
(the oracle teacher, the truth source of infer and evaluate, the analysis benchmark)."""
from __future__ import annotations

import numpy as np

from kicky.core.clips import ClipInput
from kicky.core.instances import Instance, Labels
from kicky.errors import KickyError
from kicky.io.rle import decode


def truth_instances(clip: ClipInput, classes: tuple[str, ...], todo: np.ndarray | None = None,
                    source: str = "oracle") -> Labels:
    """Every truth instance of `classes` in every frame; `todo` (T, C) bool: only those frame x class."""
    if clip.truth is None:
        raise KickyError(f"oracle teacher needs simulator truth (truth.json) and clip {clip.clip_id} has none")
    classes = tuple(classes)
    out: Labels = []
    for t, fr in enumerate(clip.truth["frames"]):
        row = []
        for d in fr["instances"]:
            if d["class"] in classes and (todo is None or todo[t, classes.index(d["class"])]):
                x, y, w, h = d["bbox"]
                row.append(Instance(d["class"], decode(d["rle"]), 1.0, source, (x, y, x + w, y + h)))
        out.append(row)
    return out
