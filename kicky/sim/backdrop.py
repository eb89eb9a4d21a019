"""The static world behind the action, rendered once per clip by ray casting: sky, a backdrop wall
(trees / buildings / fence / stands) on a cylinder around the goal, and the grass with mowing stripes,
wear, noise, pitch lines and a tree-shade band."""
from __future__ import annotations

import math

import cv2
import numpy as np

from kicky.sim.camera import Camera
from kicky.sim.goal import Goal


def noise_texture(rng: np.random.Generator, size: int = 256, octaves=(4, 16, 64)) -> np.ndarray:
    """Smooth value noise in [-1, 1], tileable (BORDER_WRAP sampling)."""
    acc = np.zeros((size, size), np.float32)
    for k, o in enumerate(octaves):
        small = rng.normal(0, 1, (o, o)).astype(np.float32)
        big = cv2.resize(np.tile(small, (3, 3)), (size * 3, size * 3), interpolation=cv2.INTER_CUBIC)
        acc += big[size:2 * size, size:2 * size] / (k + 1)
    return acc / (np.abs(acc).max() + 1e-6)


def _sample(tex: np.ndarray, u: np.ndarray, v: np.ndarray) -> np.ndarray:
    n = tex.shape[0]
    return cv2.remap(tex, np.mod(u, n).astype(np.float32), np.mod(v, n).astype(np.float32),
                     cv2.INTER_LINEAR, borderMode=cv2.BORDER_WRAP)


def _segment_dist(x, y, a, b):
    ax, ay = a
    bx, by = b
    dx, dy = bx - ax, by - ay
    s = np.clip(((x - ax) * dx + (y - ay) * dy) / (dx * dx + dy * dy), 0, 1)
    return np.hypot(x - ax - s * dx, y - ay - s * dy)


def pitch_lines(goal: Goal) -> list[tuple[tuple, tuple]]:
    if goal.width < 5:
        return [((-12, 0), (12, 0))]
    hw = goal.width / 2
    six, pen = hw + 5.5, hw + 16.5
    return [((-34, 0), (34, 0)), ((-six, 5.5), (six, 5.5)), ((-six, 0), (-six, 5.5)), ((six, 0), (six, 5.5)),
            ((-pen, 16.5), (pen, 16.5)), ((-pen, 0), (-pen, 16.5)), ((pen, 0), (pen, 16.5)),
            ((-0.12, 11), (0.12, 11))]


def shade_band(scene: dict) -> tuple[np.ndarray, float, float] | None:
    """A tree's shadow across the pitch: points p with lo < n.p < hi are shaded."""
    if not scene["shade_band"]:
        return None
    rs = np.random.default_rng(scene["texture_seed"] + 7)
    ang = rs.uniform(0, math.pi)
    n = np.array([math.cos(ang), math.sin(ang)])
    c = rs.uniform(-6, 12)
    return n, c, c + rs.uniform(3, 10)


def in_shade(scene: dict, xy: np.ndarray) -> np.ndarray:
    band = shade_band(scene)
    if band is None:
        return np.zeros(np.shape(xy)[:-1], bool)
    n, lo, hi = band
    d = np.asarray(xy) @ n
    return (d > lo) & (d < hi)


def _profile(kind: str, theta: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Backdrop height (m) and block index per azimuth angle."""
    n = 720
    grid = np.linspace(-math.pi, math.pi, n, endpoint=False)
    if kind == "buildings":
        edges = np.sort(rng.uniform(-math.pi, math.pi, 40))
        block = np.searchsorted(edges, grid)
        heights = rng.uniform(4, 22, 41) * (rng.random(41) > 0.15)
        h = heights[block]
    elif kind == "stands":
        h = np.full(n, rng.uniform(4, 8))
        block = np.zeros(n, int)
    else:
        bumps = np.convolve(rng.normal(0, 1, n + 40), np.ones(9) / 9, "same")[20:20 + n]
        h = rng.uniform(8, 14) + 4 * bumps + 1.2 * rng.normal(0, 1, n)
        block = np.zeros(n, int)
    idx = np.clip(((theta + math.pi) / (2 * math.pi) * n).astype(int), 0, n - 1)
    return h[idx], block[idx]


def render_static(cam: Camera, goal: Goal, scene: dict) -> np.ndarray:
    """BGR float32 image of sky, backdrop and grass seen by `cam` (no goal, no people)."""
    rng = np.random.default_rng(scene["texture_seed"])
    tex_fine, tex_coarse = noise_texture(rng), noise_texture(rng, octaves=(2, 6))
    H, W = cam.height, cam.width
    v, u = np.mgrid[0:H, 0:W].astype(np.float32)
    d = cam.rays(np.stack([u + 0.5, v + 0.5], -1)).astype(np.float32)
    d /= np.linalg.norm(d, axis=-1, keepdims=True)
    C = cam.center
    img = np.empty((H, W, 3), np.float32)
    # backdrop cylinder around the goal centre
    R = scene["backdrop_radius_m"]
    dh2 = d[..., 0] ** 2 + d[..., 1] ** 2 + 1e-9
    b = 2 * (C[0] * d[..., 0] + C[1] * d[..., 1])
    c = C[0] ** 2 + C[1] ** 2 - R * R
    s_wall = (-b + np.sqrt(np.maximum(b * b - 4 * dh2 * c, 0))) / (2 * dh2)
    s_ground = np.where(d[..., 2] < -1e-6, -C[2] / np.minimum(d[..., 2], -1e-6), np.inf)
    ground = s_ground < s_wall
    # sky: gradient with clouds
    elev = np.arcsin(np.clip(d[..., 2], -1, 1))
    sky = np.array(scene["sky_bgr"], np.float32)
    horizon = np.array([235, 230, 225], np.float32)
    wsky = np.clip(elev / 0.6, 0, 1)[..., None]
    img[:] = horizon * (1 - wsky) + sky * wsky
    az = np.arctan2(d[..., 1], d[..., 0])
    clouds = _sample(tex_coarse, az * 80, elev * 300)
    img += (np.clip(clouds, 0, 1) * (60 if not scene["overcast"] else 25))[..., None]
    # backdrop wall
    hx, hy = C[0] + s_wall * d[..., 0], C[1] + s_wall * d[..., 1]
    hz = C[2] + s_wall * d[..., 2]
    theta = np.arctan2(hy, hx)
    height, block = _profile(scene["backdrop"], theta, rng)
    wall = (~ground) & (hz < height) & (hz > -1)
    tx, tz = theta * R * 6, hz * 6
    tn = _sample(tex_fine, tx, tz)
    kind = scene["backdrop"]
    if kind == "buildings":
        palette = rng.uniform(90, 210, (41, 3)).astype(np.float32)
        col = palette[block]
        win = ((np.mod(theta * R, 3.0) < 1.4) & (np.mod(hz, 3.2) > 1.2) & (hz > 1)).astype(np.float32)
        col = col * (1 - 0.45 * win[..., None]) + 8 * tn[..., None]
    elif kind == "stands":
        crowd = rng.uniform(40, 220, (64, 64, 3)).astype(np.float32)
        ci = np.mod((theta * R * 4).astype(int), 64), np.mod((hz * 4).astype(int), 64)
        col = crowd[ci[0], ci[1]] * 0.7 + 50
    else:
        base = np.array([45, 85, 50], np.float32) * (0.8 + 0.4 * rng.random())
        col = base * (1 + 0.35 * tn[..., None])
    if kind == "fence_trees":
        fence = (hz < 2.6) & ((np.mod(theta * R, 0.15) < 0.03) | (np.mod(hz, 0.15) < 0.03) | (hz > 2.5))
        col = np.where(fence[..., None], np.array([70, 90, 80], np.float32), col)
    img[wall] = col[wall]
    # grass
    gx, gy = C[0] + s_ground * d[..., 0], C[1] + s_ground * d[..., 1]
    gx, gy = np.where(ground, gx, 0), np.where(ground, gy, 0)
    dist = np.where(ground, s_ground, 1e3)
    grass = np.array(scene["grass_bgr"], np.float32)
    stripe = np.where(np.mod(np.floor(gy / scene["stripe_m"]), 2) == 0, 1.0, -1.0) * scene["stripe_contrast"]
    fine = _sample(tex_fine, gx * 25, gy * 25)
    coarse = _sample(tex_coarse, gx * 2, gy * 2)
    fade = np.clip(12 / (dist + 1e-3), 0.15, 1.0)
    shade = 1 + stripe + 0.12 * fine * fade + 0.08 * coarse
    g = grass * shade[..., None]
    # wear: bare brown patches in the goal mouth and where players stand
    wear = scene["wear"] * np.clip(1.2 - np.hypot(gx / 3.5, (gy - 3) / 3.0), 0, 1) * (0.6 + 0.4 * coarse)
    g = g * (1 - wear[..., None]) + np.array([60, 95, 120], np.float32) * wear[..., None]
    if scene["lines"]:
        footprint = np.maximum(dist / cam.focal, 0.01)
        alpha = np.zeros_like(dist)
        for a, bb in pitch_lines(goal):
            dd = _segment_dist(gx, gy, a, bb)
            alpha = np.maximum(alpha, np.clip((0.06 - dd) / footprint + 0.5, 0, 1))
        alpha *= 0.85 + 0.15 * fine
        g = g * (1 - alpha[..., None]) + np.array([225, 230, 230], np.float32) * alpha[..., None]
    shaded = in_shade(scene, np.stack([gx, gy], -1))
    g = g * np.where(shaded, 1 - scene["shadow_strength"], 1.0)[..., None]
    haze = np.clip(dist / 150, 0, 0.35)[..., None]
    g = g * (1 - haze) + horizon * haze
    img[ground] = g[ground]
    return np.clip(img * scene["brightness"], 0, 255)
