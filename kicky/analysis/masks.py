"""Small geometry on instance masks: centre, the ball's diameter with or without a blur streak, and
the gap between two masks."""
from __future__ import annotations

import numpy as np


def pixels(mask: np.ndarray, box=None) -> tuple[np.ndarray, np.ndarray]:
    """(xs, ys) of the mask's pixels, looking only inside `box` (x0, y0, x1, y1) when given."""
    if box is None:
        ys, xs = np.nonzero(mask)
        return xs, ys
    H, W = mask.shape
    x0, y0 = max(int(box[0]) - 1, 0), max(int(box[1]) - 1, 0)
    x1, y1 = min(int(np.ceil(box[2])) + 1, W), min(int(np.ceil(box[3])) + 1, H)
    ys, xs = np.nonzero(mask[y0:y1, x0:x1])
    return xs + x0, ys + y0


def centre(mask: np.ndarray, box=None) -> tuple[float, float] | None:
    xs, ys = pixels(mask, box)
    if len(xs) == 0:
        return None
    return float(xs.mean()) + 0.5, float(ys.mean()) + 0.5


def diameter(mask: np.ndarray, box=None) -> float:
    """Diameter of a (possibly streaked) ball mask: the width across the streak from second moments
    (a disc of diameter d has variance d^2/16 along any axis; a pixel adds 1/12), and never more than
    the disc of the same area."""
    xs, ys = pixels(mask, box)
    if len(xs) == 0:
        return 0.0
    by_area = 2.0 * np.sqrt(len(xs) / np.pi)
    if len(xs) < 3:
        return float(by_area)
    lam = np.linalg.eigvalsh(np.cov(np.stack([xs, ys]).astype(float)))[0]
    return float(min(by_area, 4.0 * np.sqrt(max(lam, 0.0) + 1 / 12)))


def gap_px(a: np.ndarray, b: np.ndarray, reach: int, box=None) -> float:
    """Distance in px between the nearest pixels of masks `a` (inside `box` if given) and `b`, or
    inf when over `reach`."""
    xs, ys = pixels(a, box)
    if len(xs) == 0:
        return float("inf")
    H, W = a.shape
    y0, y1 = max(ys.min() - reach, 0), min(ys.max() + reach + 1, H)
    x0, x1 = max(xs.min() - reach, 0), min(xs.max() + reach + 1, W)
    by, bx = np.nonzero(b[y0:y1, x0:x1])
    if len(bx) == 0:
        return float("inf")
    pa = np.stack([xs - x0, ys - y0], 1).astype(float)
    pb = np.stack([bx, by], 1).astype(float)
    if len(pa) * len(pb) > 4_000_000:
        pa = pa[:: max(len(pa) // 500, 1)]
    d = np.sqrt(((pa[:, None, :] - pb[None, :, :]) ** 2).sum(-1)).min()
    return float(d) - 1.0 if d > 0 else 0.0
