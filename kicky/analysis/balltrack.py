"""One ball per frame from the detections, cleaned: candidate choice (score, size, motion), Hampel
filter against teleports, short-gap interpolation, velocity in px per frame (per nominal frame
when the frames' times are uneven) and kick spikes."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from kicky.analysis.clock import Clock
from kicky.analysis.masks import centre, diameter
from kicky.core.instances import Instance


@dataclass
class BallTrack:
    xy: np.ndarray          # (T, 2) px, NaN where unknown
    width: np.ndarray       # (T,) ball diameter px, NaN where not detected
    detected: np.ndarray    # (T,) bool: a detection was kept in this frame
    interpolated: np.ndarray  # (T,) bool: position filled across a short gap
    balls: list             # (T,) the kept ball Instance or None (its mask: .mask)
    boxes: list             # (T,) its box (x0, y0, x1, y1) or None
    step: np.ndarray | None = None  # (T,) time to the next frame in nominal frames (Clock.step); None = 1

    @property
    def velocity(self) -> np.ndarray:
        """(T, 2) forward difference (xy[t+1] - xy[t]) / step px per nominal frame (NaN at the end and
        across unknowns): a frame dropped from a variable-rate stream does not double the speed."""
        v = np.full_like(self.xy, np.nan)
        v[:-1] = self.xy[1:] - self.xy[:-1]
        if self.step is not None:
            v[:-1] /= self.step[:-1, None]
        return v

    @property
    def speed(self) -> np.ndarray:
        return np.linalg.norm(self.velocity, axis=1)


def candidates(frame: list[Instance], min_score: float) -> list[tuple[float, float, float, float, Instance]]:
    """(x, y, diameter, score, instance) of every ball detection worth considering."""
    out = []
    for inst in frame:
        if inst.cls == "ball" and inst.score >= min_score:
            x0, y0, crop = inst.crop          # the mask inside its own box: no full-frame array
            b = inst.box
            box = (b[0] - x0, b[1] - y0, b[2] - x0, b[3] - y0)
            c = centre(crop, box)
            if c is not None:
                out.append((c[0] + x0, c[1] + y0, max(diameter(crop, box), 1.0), float(inst.score), inst))
    return out


def choose(cands: list[list[tuple]], move_cost_px: float, size_cost: float) -> list[int | None]:
    """Index of the ball candidate per frame: the path (Viterbi over frames with candidates) that
    minimises jump length / move_cost_px + size change + -log(score)."""
    frames = [t for t, c in enumerate(cands) if c]
    pick: list[int | None] = [None] * len(cands)
    if not frames:
        return pick
    sizes = np.array([c[2] for t in frames for c in cands[t]])
    ref = float(np.median(sizes))
    emit = lambda c: -np.log(max(c[3], 1e-3)) + size_cost * abs(np.log(c[2] / ref))  # noqa: E731
    cost = np.array([emit(c) for c in cands[frames[0]]])
    back = []
    for prev, t in zip(frames[:-1], frames[1:]):
        a = np.array([[c[0], c[1]] for c in cands[prev]])
        b = np.array([[c[0], c[1]] for c in cands[t]])
        jump = np.linalg.norm(b[:, None] - a[None], axis=2) / (t - prev) / move_cost_px
        total = cost[None, :] + jump
        back.append(total.argmin(1))
        cost = total.min(1) + np.array([emit(c) for c in cands[t]])
    i = int(cost.argmin())
    for k in range(len(frames) - 1, -1, -1):
        pick[frames[k]] = i
        if k:
            i = int(back[k - 1][i])
    return pick


def hampel(x: np.ndarray, window: int, k: float, min_dev: float = 0.0) -> np.ndarray:
    """Outlier flags of a 1-D series with NaN gaps: |x - median| > max(k * 1.4826 * MAD, min_dev)
    over the `window` known values on each side (known values, so a gap does not shrink it)."""
    known = np.flatnonzero(~np.isnan(x))
    v = x[known]
    out = np.zeros(len(x), bool)
    for i, t in enumerate(known):
        w = v[max(i - window, 0):i + window + 1]
        med = np.median(w)
        mad = 1.4826 * np.median(np.abs(w - med))
        out[t] = abs(v[i] - med) > max(k * mad, min_dev)
    return out


def fill_gaps(xy: np.ndarray, gap_max: int, t: np.ndarray | None = None) -> np.ndarray:
    """Linear interpolation (in time `t`, default the frame index) across runs of NaN no longer than
    `gap_max` between two known frames."""
    xy = xy.copy()
    t = np.arange(len(xy), dtype=float) if t is None else np.asarray(t, float)
    known = np.flatnonzero(~np.isnan(xy[:, 0]))
    for a, b in zip(known[:-1], known[1:]):
        if 1 < b - a <= gap_max + 1:
            s = (t[a + 1:b] - t[a]) / (t[b] - t[a])
            xy[a + 1:b] = xy[a] + s[:, None] * (xy[b] - xy[a])
    return xy


def track_ball(detections: list[list[Instance]], cfg: dict, clock: Clock | None = None) -> BallTrack:
    """The ball track of a clip (cfg = the `ball` section); `clock`: the frames' times (default: a
    constant rate)."""
    T = len(detections)
    cands = [candidates(f, cfg["min_score"]) for f in detections]
    pick = choose(cands, cfg["move_cost_px"], cfg["size_cost"])
    xy = np.full((T, 2), np.nan)
    width = np.full(T, np.nan)
    balls: list = [None] * T
    boxes: list = [None] * T
    for t, i in enumerate(pick):
        if i is not None:
            x, y, d, _, inst = cands[t][i]
            xy[t], width[t], balls[t], boxes[t] = (x, y), d, inst, inst.box
    w, k, m = cfg["hampel_window"], cfg["hampel_k"], cfg["hampel_min_px"]
    bad = hampel(xy[:, 0], w, k, m) | hampel(xy[:, 1], w, k, m)
    xy[bad], width[bad] = np.nan, np.nan
    for t in np.flatnonzero(bad):
        balls[t] = boxes[t] = None
    detected = ~np.isnan(xy[:, 0])
    even = clock is None or clock.uniform
    filled = fill_gaps(xy, cfg["gap_max"], None if even else clock.t)
    return BallTrack(filled, width, detected, ~np.isnan(filled[:, 0]) & ~detected, balls, boxes,
                     None if even else clock.step)


def kicks(track: BallTrack, cfg: dict) -> list[int]:
    """Frames where the ball's speed jumps: fast in px and in ball widths, `spike_ratio` times
    faster than over the `spike_before` frames before (never in the clip's first 2 frames: nothing
    before to compare with), and still away from where it was `spike_after` frames later, by half
    the floor speed per frame (a ball half hidden by a leg for a frame or two shifts its centre and
    comes back). First frame of each run."""
    sp = track.speed
    wref = np.nanmedian(track.width) if np.isfinite(track.width).any() else 1.0
    floor = max(cfg["spike_min_px"], cfg["spike_min_widths"] * wref)
    n = cfg["spike_after"]
    fast = np.zeros(len(sp), bool)
    for t in np.flatnonzero(np.isfinite(sp) & (sp >= floor)):
        if t < 2:
            continue
        before = sp[max(t - cfg["spike_before"], 0):t]
        before = before[np.isfinite(before)]
        base = float(np.median(before)) if len(before) else 0.0   # unseen before: hidden behind the kicker
        away = np.linalg.norm(track.xy[min(t + n, len(sp) - 1)] - track.xy[t])
        fast[t] = sp[t] >= cfg["spike_ratio"] * max(base, 0.5) and not away < n * floor / 2
    return [int(t) for t in np.flatnonzero(fast) if not fast[t - 1]]


def post_speed(track: BallTrack, t: int, window: int, pct: float = 92.0) -> float:
    """Robust peak speed (px/frame) over the `window` frames from frame t."""
    s = track.speed[t:t + window]
    s = s[np.isfinite(s)]
    return float(np.percentile(s, pct)) if len(s) else 0.0
