"""Chaining backends: each later backend runs only where the earlier ones found nothing.

Modes: `frame` — per (frame, class) pair still empty; `class` — per class, over the whole clip, only
for classes no earlier backend found anywhere in it; `clip` — only when the clip is still entirely
empty. (The seed: SAM3 missed the ball on all 117 frames of one clip; LocateAnything found 42.)"""
from __future__ import annotations

import logging

import numpy as np

from kicky.core.instances import Labels, present
from kicky.errors import KickyError
from kicky.teacher.backend import Backend, ClipInput

MODES = ("frame", "class", "clip")
log = logging.getLogger("kicky.teacher")


def still_empty(found: np.ndarray, mode: str) -> np.ndarray:
    """(T, C) bool of what a later backend should fill, given (T, C) `found` so far."""
    if mode == "frame":
        return ~found
    if mode == "class":
        return np.broadcast_to(~found.any(axis=0, keepdims=True), found.shape).copy()
    if mode == "clip":
        return np.full(found.shape, not found.any())
    raise KickyError(f"unknown chain mode {mode!r}: use one of {', '.join(MODES)}")


def run_chain(backends: list[Backend], clip: ClipInput, classes: tuple[str, ...], mode: str = "frame") -> Labels:
    """Labels of the clip from the first backend, holes filled by the next ones."""
    if not backends:
        raise KickyError("teacher chain is empty: give at least one backend (teacher.chain=[motion])")
    labels: Labels = [[] for _ in range(len(clip))]
    for i, be in enumerate(backends):
        todo = np.ones((len(clip), len(classes)), bool) if i == 0 else still_empty(present(labels, classes), mode)
        if not todo.any():
            break
        got = be.label(clip, classes, todo)
        if len(got) != len(clip):
            raise KickyError(f"teacher {be.name} returned {len(got)} frames for a {len(clip)}-frame clip")
        for t, insts in enumerate(got):
            labels[t].extend(x for x in insts if x.cls in classes and todo[t, classes.index(x.cls)])
    return labels
