"""Pixel evidence for the weight-free teacher: local anomaly against a smoothed image, the pitch,
white structure, and connected components with their shape measures. Pure array functions."""
from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np


@dataclass
class Blob:
    """A connected region. Only its box's pixels are kept (`crop`): a clip has thousands of ball
    candidates, and full-frame masks for all of them took gigabytes. `mask` is the full-frame view."""
    crop: np.ndarray  # bool, the box region
    box: tuple[int, int, int, int]  # x0, y0, x1, y1
    area: int
    centre: tuple[float, float]
    contrast: float
    shape: tuple[int, int]  # the frame's (H, W)
    full: np.ndarray | None = None  # a full-frame mask that replaced the crop (a refined person mask)

    @property
    def mask(self) -> np.ndarray:
        if self.full is not None:
            return self.full
        m = np.zeros(self.shape, bool)
        x0, y0, x1, y1 = self.box
        m[y0:y1, x0:x1] = self.crop
        return m

    @mask.setter
    def mask(self, m: np.ndarray) -> None:
        x0, y0, x1, y1 = self.box
        inside = m[y0:y1, x0:x1]
        if int(inside.sum()) == int(m.sum()):     # wholly inside the box (most refined person masks)
            self.crop, self.full = inside.copy(), None
        else:
            self.full = m

    @property
    def w(self) -> int:
        return self.box[2] - self.box[0]

    @property
    def h(self) -> int:
        return self.box[3] - self.box[1]


def smooth(img: np.ndarray, scale: float) -> np.ndarray:
    """The image with objects smaller than ~scale pixels removed (median at a reduced size)."""
    H, W = img.shape[:2]
    f = max(scale / 9.0, 1.0)
    small = cv2.resize(img, (max(int(W / f), 9), max(int(H / f), 9)), interpolation=cv2.INTER_AREA)
    small = cv2.medianBlur(small, 9)
    return cv2.resize(small, (W, H), interpolation=cv2.INTER_LINEAR)


def anomaly(img: np.ndarray, scale: float) -> np.ndarray:
    """Max-channel |img - smooth(img)|: small things standing out from their surroundings."""
    return cv2.absdiff(cv2.GaussianBlur(img, (3, 3), 0), smooth(img, scale)).max(axis=2)


def pitch_mask(smoothed: np.ndarray) -> np.ndarray:
    """Grass: green hue with some saturation in the object-free image; the largest such region,
    holes filled."""
    hsv = cv2.cvtColor(smoothed, cv2.COLOR_RGB2HSV)
    g = ((hsv[..., 0] >= 30) & (hsv[..., 0] <= 90) & (hsv[..., 1] >= 50)).astype(np.uint8)
    n, lab, st, _ = cv2.connectedComponentsWithStats(g, connectivity=4)
    if n <= 1:
        return np.zeros(g.shape, bool)
    k = 1 + int(np.argmax(st[1:, cv2.CC_STAT_AREA]))
    region = (lab == k).astype(np.uint8)
    cnts, _ = cv2.findContours(region, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    filled = np.zeros_like(region)
    cv2.drawContours(filled, cnts, -1, 1, -1)
    return filled.astype(bool)


def white_mask(img: np.ndarray, smoothed: np.ndarray, lift: int = 25) -> np.ndarray:
    """Whitish pixels (low saturation) brighter than their surroundings: lines, posts, net."""
    hsv = cv2.cvtColor(img, cv2.COLOR_RGB2HSV)
    grey = cv2.cvtColor(img, cv2.COLOR_RGB2GRAY).astype(np.int16)
    back = cv2.cvtColor(smoothed, cv2.COLOR_RGB2GRAY).astype(np.int16)
    return (hsv[..., 1] < 70) & (grey - back > lift)


def components(mask: np.ndarray, score: np.ndarray | None = None, min_area: int = 1,
               max_area: float = np.inf) -> list[Blob]:
    """Connected components with area in [min_area, max_area]."""
    n, lab, st, cen = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=8)
    out = []
    for k in range(1, n):
        x, y, w, h, a = st[k]
        if a < min_area or a > max_area:
            continue
        sub = lab[y:y + h, x:x + w] == k
        c = float(score[y:y + h, x:x + w][sub].mean()) if score is not None else 0.0
        out.append(Blob(sub, (int(x), int(y), int(x + w), int(y + h)), int(a), (float(cen[k][0]), float(cen[k][1])), c,
                        mask.shape[:2]))
    return out


def peaks(score: np.ndarray, allowed: np.ndarray, thr: float, radius: int, max_size: int) -> list[Blob]:
    """Small isolated bright spots of `score`: local maxima above `thr` (within `allowed`), each
    grown to the pixels above half its peak inside a (2*max_size+1) window; spots whose half-peak
    region reaches the window's edge are parts of something bigger and are dropped."""
    k = 2 * radius + 1
    local_max = cv2.dilate(score, np.ones((k, k), np.uint8))
    ys, xs = np.nonzero((score >= local_max) & (score > thr) & allowed)
    H, W = score.shape
    out, taken = [], np.zeros((H, W), bool)
    for y, x in sorted(zip(ys, xs), key=lambda p: -int(score[p])):
        if taken[y, x]:
            continue
        y0, y1, x0, x1 = max(y - max_size, 0), min(y + max_size + 1, H), max(x - max_size, 0), min(x + max_size + 1, W)
        win = score[y0:y1, x0:x1] > score[y, x] * 0.5
        n, lab = cv2.connectedComponents(win.astype(np.uint8), connectivity=8)
        sub = lab == lab[y - y0, x - x0]
        edge = sub[0].any() or sub[-1].any() or sub[:, 0].any() or sub[:, -1].any()
        taken[y0:y1, x0:x1] |= sub
        if edge and (y1 - y0 == 2 * max_size + 1) and (x1 - x0 == 2 * max_size + 1):
            continue
        yy, xx = np.nonzero(sub)
        box = (int(xx.min() + x0), int(yy.min() + y0), int(xx.max() + x0 + 1), int(yy.max() + y0 + 1))
        crop = sub[yy.min():yy.max() + 1, xx.min():xx.max() + 1]
        out.append(Blob(crop, box, int(sub.sum()), (float(xx.mean() + x0 + 0.5), float(yy.mean() + y0 + 0.5)),
                        float(score[y, x]), (H, W)))
    return out
