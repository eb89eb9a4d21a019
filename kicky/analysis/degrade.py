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


def degrade(detections: list[list[Instance]], rng: np.random.Generator, drop: float = 0.0,
            jitter_px: float = 0.0, false_balls: float = 0.0,
            classes: tuple[str, ...] = ("ball", "player", "goal")) -> list[list[Instance]]:
    """Each instance of `classes` dropped with probability `drop`, moved by a Gaussian(jitter_px)
    integer offset; Poisson(`false_balls`) fake balls (discs of the clip's median ball size) per frame."""
    areas = [d.area for f in detections for d in f if d.cls == "ball"]
    r = max(np.sqrt(np.median(areas) / np.pi), 1.0) if areas else 1.5
    out = []
    for frame in detections:
        row = []
        for d in frame:
            if d.cls in classes and rng.random() < drop:
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
