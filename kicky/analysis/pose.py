"""The kicker's pose at contact: MediaPipe Pose on an upscaled crop around the shooter, the kicking
foot (the ankle nearer the ball, its side told by geometry, not by MediaPipe's left/right labels,
which flip for players seen from behind) and knee / trunk / hip angles with their good ranges."""
from __future__ import annotations

import os
from functools import lru_cache
from typing import Callable

import cv2
import numpy as np

from kicky.core.instances import Instance

# MediaPipe landmark indices (MediaPipe's own left/right)
SHOULDER, HIP, KNEE, ANKLE = (11, 12), (23, 24), (25, 26), (27, 28)


def crop_box(joints_uv: np.ndarray, width: int, height: int, pad: float = 0.6) -> tuple[int, int, int, int]:
    """Square (x0, y0, x1, y1) around the joints, padded by `pad` x joint-box height each side, clipped."""
    lo, hi = np.min(joints_uv, 0), np.max(joints_uv, 0)
    side = float(max(hi - lo)) + 2 * pad * float(hi[1] - lo[1])
    cx, cy = (lo + hi) / 2
    x0, y0 = int(np.floor(cx - side / 2)), int(np.floor(cy - side / 2))
    x1, y1 = int(np.ceil(cx + side / 2)), int(np.ceil(cy + side / 2))
    return max(x0, 0), max(y0, 0), min(x1, width), min(y1, height)


def pose_on_crop(pose, image_rgb: np.ndarray, box: tuple[int, int, int, int]
                 ) -> tuple[np.ndarray, np.ndarray] | None:
    """Run `pose` (MediaPipe Pose) on the RGB crop; landmarks (33, 2) in full-image pixels and
    visibility (33,), or None."""
    x0, y0, x1, y1 = box
    crop = np.ascontiguousarray(image_rgb[y0:y1, x0:x1])
    if crop.shape[0] < 2 or crop.shape[1] < 2:
        return None
    res = pose.process(crop)
    if res.pose_landmarks is None:
        return None
    lm = res.pose_landmarks.landmark
    xy = np.array([[p.x * (x1 - x0) + x0, p.y * (y1 - y0) + y0] for p in lm])
    return xy, np.array([p.visibility for p in lm])


@lru_cache(maxsize=2)
def _model(complexity: int):
    os.environ.setdefault("GLOG_minloglevel", "2")
    import mediapipe as mp
    return mp.solutions.pose.Pose(static_image_mode=True, model_complexity=complexity)


def landmarks(frame_rgb: np.ndarray, player: Instance, others: list[Instance], cfg: dict) -> np.ndarray | None:
    """(33, 2) landmarks in frame px for the player, or None (cfg = the `pose` section)."""
    H, W = frame_rgb.shape[:2]
    x0, y0, x1, y1 = player.box
    x0, y0, x1, y1 = crop_box(np.array([[x0, y0], [x1, y1]]), W, H, cfg["pad"])
    if x1 - x0 < 4 or y1 - y0 < 4:
        return None
    crop = frame_rgb[y0:y1, x0:x1].copy()
    if cfg["mask_others"] and others:
        hide = np.zeros(crop.shape[:2], bool)
        for o in others:
            hide |= o.mask[y0:y1, x0:x1] & ~player.mask[y0:y1, x0:x1]
        crop[hide] = np.median(crop.reshape(-1, 3), 0).astype(crop.dtype)
    scale = max(1.0, cfg["min_side"] / max(crop.shape[:2]))
    if scale > 1:
        crop = cv2.resize(crop, None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC)
    got = pose_on_crop(_model(cfg["model_complexity"]), crop, (0, 0, crop.shape[1], crop.shape[0]))
    if got is None:
        return None
    return got[0] / scale + np.array([x0, y0])


def poses_near(frame_at: Callable[[int], np.ndarray], players: list[dict[str, Instance]], shooter: str,
               frames: list[int], cfg: dict) -> dict[int, np.ndarray]:
    """{frame: landmarks} of the shooter for those of `frames` where MediaPipe finds a pose."""
    out = {}
    for t in frames:
        if 0 <= t < len(players) and shooter in players[t]:
            others = [p for k, p in players[t].items() if k != shooter]
            lm = landmarks(frame_at(t), players[t][shooter], others, cfg)
            if lm is not None:
                out[t] = lm
    return out


def right_axis(lm: np.ndarray, v_cam: np.ndarray, at: np.ndarray, image_wh: tuple[int, int],
               focal: float) -> np.ndarray:
    """Image direction of the kicker's own right at `at` (px): facing = the ball's horizontal flight
    direction (camera frame), up = the body's image axis (ankles -> shoulders), right = facing x up."""
    W, H = image_wh
    up2 = lm[list(SHOULDER)].mean(0) - lm[list(ANKLE)].mean(0)
    up = np.array([up2[0], up2[1], 0.0]) / max(np.linalg.norm(up2), 1e-9)
    face = v_cam - (v_cam @ up) * up
    right = np.cross(face, up)
    right /= max(np.linalg.norm(right), 1e-9)
    ray = np.array([(at[0] - W / 2) / focal, (at[1] - H / 2) / focal, 1.0])
    P = ray * 10.0  # any depth: only the direction of the image step matters
    proj = lambda X: np.array([focal * X[0] / X[2] + W / 2, focal * X[1] / X[2] + H / 2])  # noqa: E731
    return proj(P + 0.3 * right) - proj(P)


def kicking_foot(lm: np.ndarray, ball_xy: np.ndarray, right_img: np.ndarray) -> str:
    """The ankle nearer the ball kicks; it is the right foot when its hip lies on the kicker's right."""
    k = int(np.argmin(np.linalg.norm(lm[list(ANKLE)] - ball_xy, axis=1)))
    side = (lm[HIP[k]] - lm[HIP[1 - k]]) @ right_img
    return "right" if side > 0 else "left"


def _angle(a: np.ndarray, b: np.ndarray) -> float:
    c = a @ b / max(np.linalg.norm(a) * np.linalg.norm(b), 1e-9)
    return float(np.degrees(np.arccos(np.clip(c, -1, 1))))


def angles(lm: np.ndarray, ball_xy: np.ndarray) -> dict[str, float]:
    """2D angles at contact (deg): support-knee angle (180 straight), trunk lean from the image
    vertical, hip drive (kicking thigh against the trunk line continued down)."""
    k = int(np.argmin(np.linalg.norm(lm[list(ANKLE)] - ball_xy, axis=1)))
    s = 1 - k
    sh, hp = lm[list(SHOULDER)].mean(0), lm[list(HIP)].mean(0)
    return {"knee": _angle(lm[HIP[s]] - lm[KNEE[s]], lm[ANKLE[s]] - lm[KNEE[s]]),
            "trunk": _angle(sh - hp, np.array([0.0, -1.0])),
            "hip": _angle(hp - sh, lm[KNEE[k]] - lm[HIP[k]])}


def vote(feet: dict[int, str], kick: int, span: tuple[int, int]) -> str | None:
    """Majority of the per-frame foot decisions within kick + span; the frame nearest the kick breaks ties."""
    near = {t: f for t, f in feet.items() if span[0] <= t - kick <= span[1]} or feet
    if not near:
        return None
    n_right = sum(f == "right" for f in near.values())
    if 2 * n_right != len(near):
        return "right" if 2 * n_right > len(near) else "left"
    return near[min(near, key=lambda t: abs(t - kick))]


def judged(values: dict[str, float], good: dict[str, list[float]]) -> dict[str, dict]:
    """{name: {value, good: [lo, hi], ok}} for every angle."""
    return {k: {"value": round(v, 1), "good": list(good[k]), "ok": bool(good[k][0] <= v <= good[k][1])}
            for k, v in values.items()}
