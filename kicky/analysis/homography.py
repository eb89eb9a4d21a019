"""The goal plane: a homography from the goal's outline (posts + bar) to metres on the goal mouth,
x from the left post, z up from the goal line."""
from __future__ import annotations

import cv2
import numpy as np


def goal_corners(mask: np.ndarray) -> np.ndarray | None:
    """Four image corners of the goal outline (bottom-left, bottom-right, top-right, top-left), or None."""
    cs, _ = cv2.findContours(mask.astype(np.uint8), cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    if not cs:
        return None
    hull = cv2.convexHull(max(cs, key=cv2.contourArea))
    peri = cv2.arcLength(hull, True)
    quad = None
    for eps in np.linspace(0.01, 0.2, 20):
        approx = cv2.approxPolyDP(hull, eps * peri, True)
        if len(approx) == 4:
            quad = approx[:, 0, :].astype(float)
            break
    if quad is None:
        quad = cv2.boxPoints(cv2.minAreaRect(hull)).astype(float)
    by_y = quad[np.argsort(quad[:, 1])]
    top, bottom = by_y[:2][np.argsort(by_y[:2, 0])], by_y[2:][np.argsort(by_y[2:, 0])]
    return np.array([bottom[0], bottom[1], top[1], top[0]])


def goal_plane(mask: np.ndarray, size_m: tuple[float, float]) -> np.ndarray | None:
    """3x3 homography image px -> goal-plane metres, or None when the outline is not a goal shape."""
    c = goal_corners(mask)
    if c is None or cv2.contourArea(c.astype(np.float32)) < 20:
        return None
    w, h = size_m
    dst = np.array([[0, 0], [w, 0], [w, h], [0, h]], np.float32)
    return cv2.getPerspectiveTransform(c.astype(np.float32), dst)


def to_plane(H: np.ndarray, xy: np.ndarray) -> np.ndarray:
    """(N, 2) image px -> (N, 2) metres on the goal plane (NaN stays NaN)."""
    p = np.c_[xy, np.ones(len(xy))] @ H.T
    return p[:, :2] / p[:, 2:3]


def in_mouth(p: np.ndarray, size_m: tuple[float, float], margin_m: float = 0.15) -> np.ndarray:
    """Goal-plane points inside the mouth (between the posts, under the bar), with a margin."""
    w, h = size_m
    return (p[:, 0] > -margin_m) & (p[:, 0] < w + margin_m) & (p[:, 1] > -margin_m) & (p[:, 1] < h + margin_m)
