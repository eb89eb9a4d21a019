"""The one interface every teacher backend implements, and what it is given."""
from __future__ import annotations

from typing import Protocol

import numpy as np

from kicky.core.clips import ClipInput  # noqa: F401  (what every backend is given)
from kicky.core.instances import Labels


class Backend(Protocol):
    """frames in -> per-frame instances. `todo[t, c]` says which (frame, class) pairs to fill, with
    c indexing `classes`; a backend may skip work where todo is False and must return one list per
    frame (instances of classes not asked for are dropped by the chain)."""
    name: str

    def label(self, clip: ClipInput, classes: tuple[str, ...], todo: np.ndarray) -> Labels: ...
