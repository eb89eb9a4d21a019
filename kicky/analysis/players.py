"""Stable player identities P1, P2, ... across frames: boxes matched to tracks by IoU after a
constant-velocity step (Hungarian), tracks kept a while when lost. (supervision 0.31 no longer
ships ByteTrack; with one detection per person per frame this is all it would do.)"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import linear_sum_assignment

from kicky.teacher.instances import Instance


@dataclass
class _Track:
    pid: int
    box: np.ndarray
    vel: np.ndarray = field(default_factory=lambda: np.zeros(4))
    last: int = 0


def iou(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """(N, M) IoU of xyxy boxes."""
    x0 = np.maximum(a[:, None, 0], b[None, :, 0])
    y0 = np.maximum(a[:, None, 1], b[None, :, 1])
    x1 = np.minimum(a[:, None, 2], b[None, :, 2])
    y1 = np.minimum(a[:, None, 3], b[None, :, 3])
    inter = np.clip(x1 - x0, 0, None) * np.clip(y1 - y0, 0, None)
    area = lambda z: (z[:, 2] - z[:, 0]) * (z[:, 3] - z[:, 1])  # noqa: E731
    return inter / np.maximum(area(a)[:, None] + area(b)[None] - inter, 1e-9)


def track_players(detections: list[list[Instance]], cfg: dict) -> list[dict[str, Instance]]:
    """Per frame {'P1': instance, ...}; ids numbered in order of first appearance (cfg = `players`)."""
    tracks: list[_Track] = []
    out: list[dict[str, Instance]] = []
    for t, frame in enumerate(detections):
        dets = [d for d in frame if d.cls == "player" and d.score >= cfg["min_score"]]
        live = [k for k in tracks if t - k.last <= cfg["max_lost"]]
        row: dict[str, Instance] = {}
        used = set()
        if dets and live:
            pred = np.array([k.box + k.vel * (t - k.last) for k in live])
            boxes = np.array([d.box for d in dets], float)
            score = iou(boxes, pred)
            for i, j in zip(*linear_sum_assignment(-score)):
                if score[i, j] >= cfg["iou_min"]:
                    k = live[j]
                    k.vel = (boxes[i] - k.box) / (t - k.last)
                    k.box, k.last = boxes[i], t
                    row[f"P{k.pid}"] = dets[i]
                    used.add(i)
        for i, d in enumerate(dets):
            if i not in used:
                tracks.append(_Track(len(tracks) + 1, np.array(d.box, float), last=t))
                row[f"P{tracks[-1].pid}"] = d
        out.append(row)
    return out
