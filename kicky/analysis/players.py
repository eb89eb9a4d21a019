"""Stable player identities P1, P2, ... across frames: boxes matched to tracks by IoU after a
constant-velocity step (Hungarian), tracks kept a while when lost; what IoU leaves unmatched is
matched a second time by distance to the predicted box. A player half hidden behind another one
changes his box's shape, so predictions start from his last whole box (at least 3/4 as tall and
half as wide as the one before) and move it by the edges that moved least. (supervision 0.31 no
longer ships ByteTrack; with one detection per person per frame this is all it would do.)"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import linear_sum_assignment

from kicky.core.instances import Instance

CUT_FRAMES = 5   # a box smaller than the whole one for longer than this is the player's new shape (a dive)


@dataclass
class _Track:
    pid: int
    whole: np.ndarray               # the last box that was not cut by another player
    vel: np.ndarray = field(default_factory=lambda: np.zeros(4))   # px/frame, smoothed
    last: int = 0
    whole_t: int = 0

    def predict(self, t: int) -> np.ndarray:
        return self.whole + self.vel * (t - self.whole_t)

    def update(self, box: np.ndarray, t: int) -> None:
        if _is_whole(box, self.whole) or t - self.whole_t > CUT_FRAMES:   # velocity from whole boxes
            step = _shift(self.whole, box) / (t - self.whole_t)
            self.vel = step if not self.vel.any() else (self.vel + step) / 2
            self.whole, self.whole_t = box, t
        self.last = t


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
            boxes = np.array([d.box for d in dets], float)
            for i, j in _associate(boxes, np.array([k.predict(t) for k in live]), cfg).items():
                k = live[j]
                k.update(boxes[i], t)
                row[f"P{k.pid}"] = dets[i]
                used.add(i)
        for i, d in enumerate(dets):
            if i not in used:
                box = np.array(d.box, float)
                tracks.append(_Track(len(tracks) + 1, box, last=t, whole_t=t))
                row[f"P{tracks[-1].pid}"] = d
        out.append(row)
    return out


def _associate(boxes: np.ndarray, pred: np.ndarray, cfg: dict) -> dict[int, int]:
    """{detection: track}: by IoU with the predicted boxes, then what is left by nearness."""
    matched = _match(iou(boxes, pred), cfg["iou_min"])
    rest_d = [i for i in range(len(boxes)) if i not in matched]
    rest_k = [j for j in range(len(pred)) if j not in matched.values()]
    if rest_d and rest_k:
        near = _nearness(boxes[rest_d], pred[rest_k])
        matched |= {rest_d[i]: rest_k[j] for i, j in _match(near, 1 - cfg["near_heights"]).items()}
    return matched


def _is_whole(box: np.ndarray, ref: np.ndarray) -> bool:
    """Not a cut-off piece of the player boxed as `ref`: at least 3/4 as tall and half as wide."""
    return bool(box[3] - box[1] >= 0.75 * (ref[3] - ref[1]) and box[2] - box[0] >= 0.5 * (ref[2] - ref[0]))


def _shift(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The move from box a to box b as a shift of the whole box, each axis by the edge that moved
    least (a box changing shape while a player is half hidden must not stretch the prediction)."""
    d = np.asarray(b, float) - np.asarray(a, float)
    dx = d[0] if abs(d[0]) <= abs(d[2]) else d[2]
    dy = d[1] if abs(d[1]) <= abs(d[3]) else d[3]
    return np.array([dx, dy, dx, dy])


def _match(score: np.ndarray, least: float) -> dict[int, int]:
    """{row: column} of the Hungarian assignment maximising `score`, pairs below `least` dropped."""
    return {int(i): int(j) for i, j in zip(*linear_sum_assignment(-score)) if score[i, j] >= least}


def _nearness(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """(N, M) 1 - distance between the boxes' top or bottom centres (the nearer pair: a half-hidden
    player keeps one end) in heights of the taller box; boxes of heights more than 3x apart score
    -1e6 (not the same player)."""
    ha, hb = a[:, 3] - a[:, 1], b[:, 3] - b[:, 1]
    h = np.maximum(np.maximum(ha[:, None], hb[None]), 1.0)
    xa, xb = (a[:, 0] + a[:, 2]) / 2, (b[:, 0] + b[:, 2]) / 2
    d = np.minimum(np.hypot(xa[:, None] - xb[None], a[:, None, 3] - b[None, :, 3]),
                   np.hypot(xa[:, None] - xb[None], a[:, None, 1] - b[None, :, 1])) / h
    ratio = np.maximum(ha[:, None], hb[None]) / np.maximum(np.minimum(ha[:, None], hb[None]), 1.0)
    return np.where(ratio <= 3.0, 1 - d, -1e6)
