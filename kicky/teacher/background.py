"""Static-camera scene model: shake removal by phase correlation, a median background and per-frame
foreground. Pure array functions; the motion teacher builds on them."""
from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np


@dataclass
class Scene:
    warps: np.ndarray       # (T, 2, 3) affine map of each frame onto the reference (middle) frame
    background: np.ndarray  # (H, W, 3) uint8 RGB, in reference-frame coordinates
    diff: np.ndarray        # (T, H, W) uint8: max channel |frame - background|, in frame coordinates,
                            # 0 where the change is a cast shadow


def frame_warps(frames: np.ndarray, ref: int | None = None, max_side: int = 480) -> np.ndarray:
    """Similarity transform of every frame onto the middle frame (handheld shake: small rotation and
    translation), from ORB matches with RANSAC on downscaled grey images; identity where it fails."""
    T, H, W = frames.shape[:3]
    s = min(1.0, max_side / max(H, W))
    grey = [cv2.resize(cv2.cvtColor(f, cv2.COLOR_RGB2GRAY), None, fx=s, fy=s, interpolation=cv2.INTER_AREA)
            for f in frames]
    orb = cv2.ORB_create(1500, fastThreshold=7)
    feats = [orb.detectAndCompute(g, None) for g in grey]
    r = T // 2 if ref is None else ref
    kr, dr = feats[r]
    bf = cv2.BFMatcher(cv2.NORM_HAMMING, crossCheck=True)
    out = np.tile(np.float64([[1, 0, 0], [0, 1, 0]]), (T, 1, 1))
    for t in range(T):
        kt, dt = feats[t]
        if t == r or dt is None or dr is None:
            continue
        m = bf.match(dt, dr)
        if len(m) < 12:
            continue
        a = np.float32([kt[x.queryIdx].pt for x in m]) / s
        b = np.float32([kr[x.trainIdx].pt for x in m]) / s
        M, inl = cv2.estimateAffinePartial2D(a, b, method=cv2.RANSAC, ransacReprojThreshold=2.0 / s)
        if M is not None and inl is not None and inl.sum() >= 10:
            out[t] = M
    return out


def warp(img: np.ndarray, M: np.ndarray, inverse: bool = False) -> np.ndarray:
    """Apply a 2x3 affine map (or its inverse) to an image of the same size."""
    if np.allclose(M, [[1, 0, 0], [0, 1, 0]], atol=1e-3):
        return img
    flags = cv2.INTER_LINEAR | (cv2.WARP_INVERSE_MAP if inverse else 0)
    return cv2.warpAffine(img, M, (img.shape[1], img.shape[0]), flags=flags, borderMode=cv2.BORDER_REPLICATE)


def build_scene(frames: np.ndarray, samples: int = 31, stabilise: bool = True, ground=None) -> Scene:
    """Median background over up to `samples` stabilised frames, and each frame's difference to it,
    with cast shadows removed where they can fall: on `ground(background) -> mask` (default: anywhere)."""
    T = len(frames)
    warps = frame_warps(frames) if stabilise and T > 1 else np.tile(np.float64([[1, 0, 0], [0, 1, 0]]), (T, 1, 1))
    idx = np.unique(np.linspace(0, T - 1, min(samples, T)).round().astype(int))
    bg = np.median(np.stack([warp(frames[t], warps[t]) for t in idx]), axis=0).astype(np.uint8)
    bg = cv2.GaussianBlur(bg, (3, 3), 0)
    floor = None if ground is None else ground(bg).astype(np.uint8)
    diff = np.empty(frames.shape[:3], np.uint8)
    for t in range(T):
        f, b = cv2.GaussianBlur(frames[t], (3, 3), 0), warp(bg, warps[t], inverse=True)
        b = exposure_matched(b, f)
        diff[t] = jitter_diff(f, b)
        sh = shadow(f, b)
        if floor is not None:
            sh &= warp(floor, warps[t], inverse=True).astype(bool)
        diff[t][sh] = 0
    return Scene(warps, bg, diff)


def exposure_matched(back: np.ndarray, frame: np.ndarray, step: int = 8) -> np.ndarray:
    """The background with the frame's exposure: phones re-expose as the scene changes, and a 5 %
    gain shift lights up every textured edge of the scene. Per-channel gain = ratio of medians over
    a pixel grid (moving things are a small share of the frame)."""
    f = frame[::step, ::step].reshape(-1, 3)
    b = back[::step, ::step].reshape(-1, 3)
    gain = (np.median(f, axis=0) + 1.0) / (np.median(b, axis=0) + 1.0)
    if np.all(np.abs(gain - 1) < 0.005):
        return back
    return cv2.transform(back, np.diag(gain))


def jitter_diff(frame: np.ndarray, back: np.ndarray) -> np.ndarray:
    """Max-channel difference to the background that a one-pixel misalignment cannot explain:
    how far the frame lies outside the background's 3x3 neighbourhood range."""
    k = np.ones((3, 3), np.uint8)
    hi, lo = cv2.dilate(back, k), cv2.erode(back, k)
    return np.maximum(cv2.subtract(frame, hi), cv2.subtract(lo, frame)).max(axis=2)


def shadow(frame: np.ndarray, back: np.ndarray, lo: float = 0.35, hi: float = 0.92) -> np.ndarray:
    """Cast shadow: darker than the background by a ratio in [lo, hi] with about the same chroma
    (every channel's ratio within 0.12 of their mean). OpenCV per-channel ops: this runs on every
    full-resolution frame."""
    f = frame.astype(np.float32) + 1
    b = back.astype(np.float32) + 1
    ch = cv2.split(cv2.divide(f, b))
    r = (ch[0] + ch[1] + ch[2]) * (1.0 / 3.0)
    spread = cv2.max(cv2.absdiff(ch[0], r), cv2.max(cv2.absdiff(ch[1], r), cv2.absdiff(ch[2], r)))
    return (r > lo) & (r < hi) & (spread < 0.12)


def foreground(diff: np.ndarray, thr: int) -> np.ndarray:
    """Binary foreground of one frame's difference image, specks removed."""
    fg = (diff > thr).astype(np.uint8)
    return cv2.morphologyEx(fg, cv2.MORPH_CLOSE, np.ones((3, 3), np.uint8)).astype(bool)


def window_medians(frames: np.ndarray, warps: np.ndarray, k: int, per: int = 5) -> list[tuple[int, int, np.ndarray]]:
    """The clip cut into `k` consecutive windows, each with the median of up to `per` of its
    stabilised frames: (first frame, end frame, median image). Things at rest stand out in them."""
    T = len(frames)
    edges = np.unique(np.linspace(0, T, min(k, T) + 1).round().astype(int))
    out = []
    for t0, t1 in zip(edges[:-1], edges[1:]):
        idx = np.unique(np.linspace(t0, t1 - 1, min(per, t1 - t0)).round().astype(int))
        out.append((int(t0), int(t1), np.median(np.stack([warp(frames[t], warps[t]) for t in idx]), axis=0).astype(np.uint8)))
    return out
