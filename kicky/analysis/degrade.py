"""Worse detections from good ones, for tests and the degradation curve: instances dropped at
random, masks jittered, false balls injected."""
from __future__ import annotations

import numpy as np

from kicky.core.instances import Instance


def shift(mask: np.ndarray, dx: int, dy: int) -> np.ndarray:
    """The mask moved by (dx, dy) px, what leaves the image is lost."""
    H, W = mask.shape
    out = np.zeros_like(mask)
    xs, xd = (slice(0, W - dx), slice(dx, W)) if dx >= 0 else (slice(-dx, W), slice(0, W + dx))
    ys, yd = (slice(0, H - dy), slice(dy, H)) if dy >= 0 else (slice(-dy, H), slice(0, H + dy))
    out[yd, xd] = mask[ys, xs]
    return out


def _disc(shape: tuple[int, int], x: float, y: float, r: float) -> np.ndarray:
    yy, xx = np.ogrid[:shape[0], :shape[1]]
    return (xx + 0.5 - x) ** 2 + (yy + 0.5 - y) ** 2 <= r * r


def ball_states(detections: list[list[Instance]], still_px: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """Per frame: the ball is still (its centre moved <= still_px from the frames before and after)
    and the ball touches the goal's mask (in or behind the net)."""
    T = len(detections)
    xy = np.full((T, 2), np.nan)
    in_goal = np.zeros(T, bool)
    for t, f in enumerate(detections):
        ball = max((d for d in f if d.cls == "ball"), key=lambda d: d.score, default=None)
        if ball is None:
            continue
        x0, y0, x1, y1 = ball.box
        xy[t] = (x0 + x1) / 2, (y0 + y1) / 2
        in_goal[t] = any(d.cls == "goal" and (d.mask & ball.mask).any() for d in f)
    if T < 2:
        return np.zeros(T, bool), in_goal
    d = np.linalg.norm(np.diff(xy, axis=0), axis=1)
    d = np.where(np.isnan(d), np.inf, d)              # a neighbour without a ball: not still
    before, after = np.r_[d[0], d], np.r_[d, d[-1]]   # the first / last frame: its one neighbour
    return np.maximum(before, after) <= still_px, in_goal


def degrade(detections: list[list[Instance]], rng: np.random.Generator, drop: float = 0.0,
            jitter_px: float = 0.0, false_balls: float = 0.0,
            classes: tuple[str, ...] = ("ball", "player", "goal"), drop_still: float = 0.0,
            drop_goal: float = 0.0) -> list[list[Instance]]:
    """Each instance of `classes` dropped with probability `drop`, moved by a Gaussian(jitter_px)
    integer offset; Poisson(`false_balls`) fake balls (discs of the clip's median ball size) per frame.
    The misses a ball detector makes most (ball_states): the ball dropped with probability `drop_still`
    where it lies still and `drop_goal` where it touches the goal (in the net, behind the mesh)."""
    areas = [d.area for f in detections for d in f if d.cls == "ball"]
    r = max(np.sqrt(np.median(areas) / np.pi), 1.0) if areas else 1.5
    still, in_goal = ball_states(detections) if drop_still or drop_goal else (None, None)
    out = []
    for t, frame in enumerate(detections):
        row = []
        for d in frame:
            if d.cls in classes and rng.random() < drop:
                continue
            if d.cls == "ball" and still is not None and rng.random() < (drop_still * still[t] or drop_goal * in_goal[t]):
                continue
            if d.cls in classes and jitter_px > 0:
                dx, dy = np.round(rng.normal(0, jitter_px, 2)).astype(int)
                if dx or dy:
                    x0, y0, x1, y1 = d.box
                    d = Instance(d.cls, shift(d.mask, int(dx), int(dy)), d.score, d.source,
                                 (x0 + dx, y0 + dy, x1 + dx, y1 + dy))
                    if not d.mask.any():
                        continue
            row.append(d)
        if frame and false_balls > 0:
            H, W = frame[0].mask.shape
            for _ in range(rng.poisson(false_balls)):
                m = _disc((H, W), rng.uniform(0, W), rng.uniform(0, H), r)
                if m.any():
                    row.append(Instance("ball", m, float(rng.uniform(0.5, 1.0)), "false"))
        out.append(row)
    return out
