"""Shot speed in km/h from the ball track. `plain`: image speed x metres per pixel of the ball at the
kick (blind to motion towards or away from the camera). `depth`: the ball's 3D path in camera
coordinates, its distance from its width (Z = f * D / width) with f = focal_frac x image width, so
motion along the line of sight counts too. Widths come only from frames where no player touches the
ball (a foot or leg in front of it shrinks its mask). Time is the clip's own (`Clock`: the stream's
timestamps), and the frame windows of the config are frames at `ref_fps`, scaled to the clip's rate,
so a 60 fps, 25 fps or variable-rate copy of a scene measures the same speed as a 30 fps one."""
from __future__ import annotations

import numpy as np

from kicky.analysis.balltrack import BallTrack
from kicky.analysis.clock import Clock
from kicky.core.domain import BALL_DIAMETER_M

METHODS = ("plain", "depth")


def clean_widths(track: BallTrack, touched: np.ndarray) -> np.ndarray:
    """Ball widths where the ball was detected and no player touched it, NaN elsewhere."""
    return np.where(track.detected & ~touched, track.width, np.nan)


def ball_width_px(widths: np.ndarray, kick: int, before: int, after: int) -> float | None:
    """Robust ball diameter near the kick: median of the clean widths in [kick - before, kick + after]."""
    w = widths[max(kick - before, 0):kick + after + 1]
    w = w[np.isfinite(w)]
    return float(np.median(w)) if len(w) else None


def plain_kmh(peak_px: float, fps: float, ball_px: float, ball_m: float = BALL_DIAMETER_M, cap_kmh: float = 140.0) -> float:
    """km/h = peak_px * fps * (ball_m / ball_px) * 3.6, capped."""
    return float(min(peak_px * fps * (ball_m / ball_px) * 3.6, cap_kmh))


def inverse_width_line(track: BallTrack, kick: int, n: int, rest_px: float | None, tol: float = 0.04,
                       clock: Clock | None = None) -> tuple[float, float] | None:
    """(slope per second (per frame without `clock`), value at the kick) of 1/width over the `n`
    frames after the kick. An occluded ball only looks smaller, and looks smaller for several frames:
    the line through two points with the most points within `tol` (relative) wins, refitted to those
    (RANSAC over all pairs); the still ball's clean width anchors the kick frame when known."""
    ts = np.arange(kick + 1, min(kick + 1 + n, len(track.xy)))
    ts = ts[track.detected[ts] & np.isfinite(track.width[ts])]
    dt = (ts - kick).astype(float) if clock is None else clock.t[ts] - clock.t[kick]
    t = np.r_[dt, [0.0] * (rest_px is not None)]
    iw = np.r_[1.0 / track.width[ts], [1.0 / rest_px] if rest_px else []]
    if len(t) < 3:
        return (0.0, float(np.min(iw))) if len(t) else None
    best, keep = -1.0, None
    for i in range(len(t)):
        for j in range(i + 1, len(t)):
            if t[i] == t[j]:
                continue
            a = (iw[j] - iw[i]) / (t[j] - t[i])
            with np.errstate(divide="ignore", invalid="ignore"):
                r = iw / (iw[i] + a * (t - t[i])) - 1
            inl = np.abs(r) <= tol
            score = inl.sum() - 1e-3 * np.mean(r[inl])  # ties: the line under the occluded points
            if score > best:
                best, keep = score, inl
    return tuple(np.polyfit(t[keep], iw[keep], 1))


def velocity_3d(track: BallTrack, widths: np.ndarray, kick: int, image_wh: tuple[int, int],
                cfg: dict, clock: Clock) -> np.ndarray | None:
    """Camera-frame ball velocity after the kick (m/s; x right, y down, z away): 3D positions from
    the inverse-width line, fitted as a line in the frames' times over `fit_frames` (at `ref_fps`)."""
    n = lambda key: clock.after(kick, cfg[key], cfg["ref_fps"])  # noqa: E731
    ts = np.arange(kick + 1, min(kick + 1 + n("fit_frames"), len(track.xy)))
    ts = ts[np.isfinite(track.xy[ts, 0])]
    rest = ball_width_px(widths, kick, clock.before(kick, cfg["before"], cfg["ref_fps"]), 0)
    line = inverse_width_line(track, kick, n("width_frames"), rest, clock=clock)
    if len(ts) < 2 or line is None:
        return None
    a, b = line
    dt = clock.t[ts] - clock.t[kick]
    s = cfg["ball_m"] * (b + a * dt)     # metres per pixel at the ball
    W, H = image_wh
    f = cfg["focal_frac"] * W
    P = np.stack([(track.xy[ts, 0] - W / 2) * s, (track.xy[ts, 1] - H / 2) * s, f * s], 1)
    return np.polyfit(dt, P, 1)[0]


def shot_speed(track: BallTrack, touched: np.ndarray, kick: int, clock: Clock, image_wh: tuple[int, int],
               cfg: dict, method: str | None = None) -> tuple[float | None, str]:
    """(km/h, method used) with cfg = the `speed` section; `depth` falls back to `plain`."""
    method = method or cfg["method"]
    widths = clean_widths(track, touched)
    if method == "depth":
        V = velocity_3d(track, widths, kick, image_wh, cfg, clock)
        if V is not None:
            return float(min(np.linalg.norm(V) * 3.6, cfg["cap_kmh"])), "depth"
    window = clock.after(kick, cfg["window"], cfg["ref_fps"])
    ball_px = ball_width_px(widths, kick, clock.before(kick, cfg["before"], cfg["ref_fps"]), window)
    s = track.speed[kick:kick + window]     # px per nominal frame
    s = s[np.isfinite(s)]
    if ball_px is None or not len(s):
        return None, "plain"
    peak = float(np.percentile(s, cfg["percentile"]))
    return plain_kmh(peak, clock.rate, ball_px, cfg["ball_m"], cfg["cap_kmh"]), "plain"
