"""Drawing primitives in image space: anti-aliased shapes on local patches, sub-pixel precise.

Pixel convention: pixel (i, j) covers [j, j+1) x [i, i+1), so a point's continuous coordinate is
drawn at (x - 0.5, y - 0.5) in OpenCV's pixel-centre coordinates.
"""
from __future__ import annotations

import cv2
import numpy as np

SHIFT = 4
ONE = 1 << SHIFT


def fx(pts) -> np.ndarray:
    """Continuous image points -> OpenCV fixed-point integer points."""
    return np.round((np.asarray(pts, float) - 0.5) * ONE).astype(np.int32)


def capsule(poly_img: np.ndarray, a, b, ra: float, rb: float, value, aa: bool = True) -> None:
    """Filled capsule from a (radius ra) to b (radius rb), coordinates relative to the patch."""
    a, b = np.asarray(a, float), np.asarray(b, float)
    d = b - a
    L = float(np.hypot(*d))
    lt = cv2.LINE_AA if aa else cv2.LINE_8
    if L > 1e-6:
        n = np.array([-d[1], d[0]]) / L
        quad = np.array([a + n * ra, b + n * rb, b - n * rb, a - n * ra])
        cv2.fillConvexPoly(poly_img, fx(quad), value, lt, SHIFT)
    for p, r in ((a, ra), (b, rb)):
        cv2.circle(poly_img, tuple(int(c) for c in fx(p)), max(1, int(round(r * ONE))), value, -1, lt, SHIFT)


def polygon(img: np.ndarray, pts, value, aa: bool = True) -> None:
    pts = np.asarray(pts, float)
    if len(pts) >= 3:
        hull = cv2.convexHull(pts.astype(np.float32)).reshape(-1, 2)
        cv2.fillConvexPoly(img, fx(hull), value, cv2.LINE_AA if aa else cv2.LINE_8, SHIFT)


def disc(img: np.ndarray, c, r: float, value, aa: bool = True) -> None:
    cv2.circle(img, tuple(int(v) for v in fx(c)), max(1, int(round(r * ONE))), value, -1,
               cv2.LINE_AA if aa else cv2.LINE_8, SHIFT)


def line(img: np.ndarray, a, b, width: float, value) -> None:
    """Anti-aliased line; widths under a pixel are drawn 1 px wide at proportionally lower value."""
    if width < 1:
        value = tuple(v * max(width, 0.15) for v in value) if isinstance(value, tuple) else value * max(width, 0.15)
        width = 1
    p = fx([a, b])
    cv2.line(img, tuple(int(v) for v in p[0]), tuple(int(v) for v in p[1]), value, max(1, int(round(width))),
             cv2.LINE_AA, SHIFT)


def composite(frame: np.ndarray, patch: np.ndarray, alpha: np.ndarray, x0: int, y0: int) -> None:
    """frame[y0:, x0:] = patch over frame with alpha in [0, 1]; clipped to the frame."""
    H, W = frame.shape[:2]
    h, w = alpha.shape
    xa, ya, xb, yb = max(x0, 0), max(y0, 0), min(x0 + w, W), min(y0 + h, H)
    if xa >= xb or ya >= yb:
        return
    a = alpha[ya - y0:yb - y0, xa - x0:xb - x0, None]
    region = frame[ya:yb, xa:xb]
    region[:] = region * (1 - a) + patch[ya - y0:yb - y0, xa - x0:xb - x0] * a


def paste_mask(full: np.ndarray, patch: np.ndarray, x0: int, y0: int, value: int) -> None:
    """full[y0:, x0:][patch] = value, clipped to the image."""
    H, W = full.shape[:2]
    h, w = patch.shape
    xa, ya, xb, yb = max(x0, 0), max(y0, 0), min(x0 + w, W), min(y0 + h, H)
    if xa < xb and ya < yb:
        sub = patch[ya - y0:yb - y0, xa - x0:xb - x0]
        full[ya:yb, xa:xb][sub] = value
