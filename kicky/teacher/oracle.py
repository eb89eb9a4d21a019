"""The oracle teacher: simulator truth as labels (the upper-bound row, and a test double)."""
from __future__ import annotations

import numpy as np

from kicky.errors import KickyError
from kicky.io.rle import decode
from kicky.teacher.backend import ClipInput
from kicky.teacher.instances import Instance, Labels


def truth_instances(clip: ClipInput, classes: tuple[str, ...]) -> Labels:
    """Every truth instance of `classes` in every frame (the oracle as a detector)."""
    return OracleBackend().label(clip, tuple(classes), np.ones((len(clip.truth["frames"]), len(classes)), bool))


class OracleBackend:
    name = "oracle"

    def label(self, clip: ClipInput, classes: tuple[str, ...], todo: np.ndarray) -> Labels:
        if clip.truth is None:
            raise KickyError(f"oracle teacher needs simulator truth (truth.json) and clip {clip.clip_id} has none")
        out: Labels = []
        for t, fr in enumerate(clip.truth["frames"]):
            row = []
            for d in fr["instances"]:
                if d["class"] in classes and todo[t, classes.index(d["class"])]:
                    x, y, w, h = d["bbox"]
                    row.append(Instance(d["class"], decode(d["rle"]), 1.0, self.name, (x, y, x + w, y + h)))
            out.append(row)
        return out
