"""Synthetic balls pasted into training crops: labels that are exact by construction.

The teacher finds the ball in a quarter of the frames; every crop where it found none would teach
the specialist "no ball here", and its misses are the hard cases (fast, blurred, small). A pasted
ball fixes both: a crop with no labelled ball gets, with probability `p`, a ball whose box is known
exactly, moving through the three frames of the window as a ball does (at rest, rolling, or in
flight: constant velocity plus projected gravity), motion-blurred over the shutter, shaded as a
sphere lit from one side. Its size follows the teacher's own ball boxes (`sizes`: their median
diameter times a random factor), so nothing about the footage is assumed beyond "a ball is a small
light sphere". Pure numpy; `paste` changes the crop in place and returns the box at the middle frame."""
from __future__ import annotations

import math

import numpy as np

DEFAULTS = {"p": 0.0, "rest": 0.3, "max_speed": 60.0, "gravity": 1.5, "size": [0.6, 1.5], "level": [140, 250],
            "shutter": [0.2, 1.0], "margin": 8}


def sprite(r: float, streak: tuple[float, float], light: tuple[float, float], ss: int = 3):
    """A sphere of radius r px (centre at the patch's (cx, cy)) blurred along `streak` (dx, dy px over
    the exposure): (coverage (h, w) in [0, 1], shade (h, w) in [0, 1], (x0, y0) of the patch
    relative to the centre). Supersampled ss x ss per pixel."""
    dx, dy = streak
    n = int(np.clip(math.ceil(math.hypot(dx, dy)), 1, 12))
    f = (np.arange(n) + 0.5) / n - 0.5 if n > 1 else np.zeros(1)
    px, py = f * dx, f * dy
    pad = r + 1.5
    x0, y0 = math.floor(px.min() - pad), math.floor(py.min() - pad)
    x1, y1 = math.ceil(px.max() + pad), math.ceil(py.max() + pad)
    gy, gx = np.mgrid[0:(y1 - y0) * ss, 0:(x1 - x0) * ss].astype(np.float32)
    gx, gy = x0 + (gx + 0.5) / ss, y0 + (gy + 0.5) / ss
    cov = np.zeros(gx.shape, np.float32)
    col = np.zeros(gx.shape, np.float32)
    lx, ly = light
    lz = -math.sqrt(max(1 - lx * lx - ly * ly, 0.0))
    for k in range(n):
        nx, ny = (gx - px[k]) / r, (gy - py[k]) / r
        d2 = nx * nx + ny * ny
        inside = d2 <= 1
        nz = -np.sqrt(np.clip(1 - d2, 0, 1))
        lam = np.clip(nx * lx + ny * ly + nz * lz, 0, 1)
        cov += inside
        col += inside * (0.55 + 0.45 * lam)
    h, w = y1 - y0, x1 - x0
    cov_px = cov.reshape(h, ss, w, ss).mean((1, 3)) / n
    col_px = col.reshape(h, ss, w, ss).mean((1, 3)) / n
    return cov_px, col_px / np.maximum(cov_px, 1e-6), (x0, y0)


def _blend(img: np.ndarray, cov: np.ndarray, rgb: np.ndarray, x0: int, y0: int) -> None:
    """Alpha-blend a patch into an (H, W, 3) uint8 image at (x0, y0), clipped to the image."""
    H, W = img.shape[:2]
    h, w = cov.shape
    a0, b0 = max(0, -y0), max(0, -x0)
    a1, b1 = min(h, H - y0), min(w, W - x0)
    if a1 <= a0 or b1 <= b0:
        return
    region = img[y0 + a0:y0 + a1, x0 + b0:x0 + b1].astype(np.float32)
    a = cov[a0:a1, b0:b1, None]
    img[y0 + a0:y0 + a1, x0 + b0:x0 + b1] = np.clip(region * (1 - a) + rgb[a0:a1, b0:b1] * a + 0.5, 0, 255)


def paste(x: np.ndarray, rng: np.random.Generator, diameter: float, cfg: dict | None = None):
    """Paste one synthetic ball into a (c, c, 9) uint8 window (t-1, t, t+1 RGB), in place; returns
    its box (x0, y0, x1, y1) at the middle frame in crop pixels (the pixels it covers >= 5 %)."""
    c = {**DEFAULTS, **(cfg or {})}
    side = x.shape[0]
    r = max(0.5 * diameter * rng.uniform(*c["size"]), 1.0)
    m = float(c["margin"]) + r
    cx, cy = rng.uniform(m, side - m), rng.uniform(m, side - m)
    if rng.random() < float(c["rest"]):
        v, g = np.zeros(2), 0.0
    else:
        ang, speed = rng.uniform(0, 2 * math.pi), rng.uniform(0, float(c["max_speed"]))
        v, g = speed * np.array([math.cos(ang), math.sin(ang)]), rng.uniform(0, float(c["gravity"]))
    shutter = rng.uniform(*c["shutter"])
    level = rng.uniform(*c["level"])
    tint = level * rng.uniform(0.94, 1.06, 3)
    la = rng.uniform(0, 2 * math.pi)
    light = (0.7 * math.cos(la), 0.7 * math.sin(la))
    box = None
    for j, dt in enumerate((-1, 0, 1)):
        vel = v + np.array([0.0, g * dt])
        pos = np.array([cx, cy]) + v * dt + np.array([0.0, 0.5 * g * dt * dt])
        cov, shade, (ox, oy) = sprite(r, tuple(vel * shutter), light)
        x0, y0 = int(math.floor(pos[0])) + ox - 1, int(math.floor(pos[1])) + oy - 1
        frac = pos - np.floor(pos)
        cov, shade = _shift(cov, frac), _shift(shade, frac)
        _blend(x[:, :, 3 * j:3 * j + 3], cov, shade[..., None] * tint, x0, y0)
        if dt == 0:
            ys, xs = np.nonzero(cov >= 0.05)
            box = (float(np.clip(x0 + xs.min(), 0, side)), float(np.clip(y0 + ys.min(), 0, side)),
                   float(np.clip(x0 + xs.max() + 1, 0, side)), float(np.clip(y0 + ys.max() + 1, 0, side)))
    return box


def _shift(a: np.ndarray, frac: np.ndarray) -> np.ndarray:
    """`a` moved right / down by a sub-pixel (fx, fy) in [0, 1) (bilinear), padded by one pixel on
    each side: the result's origin is one pixel up and left of `a`'s."""
    fx, fy = float(frac[0]), float(frac[1])
    p = np.pad(a, 1)
    res = (1 - fx) * (1 - fy) * p
    res[:, 1:] += fx * (1 - fy) * p[:, :-1]
    res[1:, :] += (1 - fx) * fy * p[:-1, :]
    res[1:, 1:] += fx * fy * p[:-1, :-1]
    return res
