"""Agreement labels: keep a ball label only where a second source agrees with it, or where the ball
track around it is physically consistent (a short constant-acceleration fit passes through it).
Players and goals pass through untouched."""
from __future__ import annotations

import numpy as np

from kicky.core.instances import Instance, Labels


def centre(inst: Instance) -> np.ndarray:
    x0, y0, x1, y1 = inst.box
    return np.array([(x0 + x1) / 2, (y0 + y1) / 2])


def ball_centres(labels: Labels) -> list[list[np.ndarray]]:
    return [[centre(i) for i in insts if i.cls == "ball"] for insts in labels]


def consistent(track: list[np.ndarray | None], t: int, window: int, max_residual: float) -> bool:
    """A quadratic in time fitted to the other ball positions within +-window frames (at least 4;
    up to two outliers among them discarded) predicts position t within max_residual pixels."""
    ts = [s for s in range(max(0, t - window), min(len(track), t + window + 1)) if s != t and track[s] is not None]
    for _ in range(3):
        if len(ts) < 4:
            return False
        P = np.array([track[s] for s in ts])
        A = np.vander(np.array(ts, float) - t, 3)
        coef, *_ = np.linalg.lstsq(A, P, rcond=None)
        res = np.linalg.norm(A @ coef - P, axis=1)
        if res.max() <= max_residual:
            break
        ts.pop(int(np.argmax(res)))
    return bool(np.linalg.norm(coef[-1] - track[t]) <= max_residual)


def agreement_filter(labels: Labels, others: list[Labels], px: float = 4.0, window: int = 4,
                     max_residual: float = 3.0) -> tuple[Labels, dict]:
    """Drop ball labels that no other source confirms within `px` and that the track does not
    support; returns the filtered labels and counts (kept by agreement / by physics / dropped)."""
    track: list[np.ndarray | None] = []
    for insts in labels:
        balls = [i for i in insts if i.cls == "ball"]
        track.append(centre(max(balls, key=lambda i: i.score)) if balls else None)
    other = [ball_centres(o) for o in others]
    stats = {"agree": 0, "physics": 0, "dropped": 0}
    out: Labels = []
    for t, insts in enumerate(labels):
        row = []
        for inst in insts:
            if inst.cls != "ball":
                row.append(inst)
                continue
            c = centre(inst)
            if any(np.linalg.norm(c - p) <= px for o in other for p in o[t]):
                stats["agree"] += 1
            elif track[t] is not None and np.allclose(track[t], c) and consistent(track, t, window, max_residual):
                stats["physics"] += 1
            else:
                stats["dropped"] += 1
                continue
            row.append(inst)
        out.append(row)
    return out, stats
