"""The oracle teacher: simulator truth as labels (the upper-bound row, and a test double)."""
from __future__ import annotations

import numpy as np

from kicky.core.clips import ClipInput
from kicky.core.instances import Labels
from kicky.core.truth import truth_instances


class OracleBackend:
    name = "oracle"

    def label(self, clip: ClipInput, classes: tuple[str, ...], todo: np.ndarray) -> Labels:
        return truth_instances(clip, classes, todo, self.name)
