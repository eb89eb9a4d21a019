"""The goal decision from the ball's path after the kick, in this order: a kick; the ball arrives at
the goal (it did not start there); then in the net and resting vs rebound vs over/wide."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from kicky.analysis.balltrack import BallTrack
from kicky.analysis.homography import goal_plane, in_mouth, to_plane
from kicky.core.instances import Instance


@dataclass
class GoalDecision:
    goal: bool
    reason: str
    confidence: float
    arrival: int | None = None   # first frame in the net
    plane_xy: list | None = None  # ball on the goal plane (m) per frame, when the homography ran


def goal_per_frame(detections: list[list[Instance]]) -> list[Instance | None]:
    """The best goal detection of each frame, frames without one taking the nearest frame's."""
    best = [max((d for d in f if d.cls == "goal"), key=lambda d: d.score, default=None) for f in detections]
    have = [t for t, g in enumerate(best) if g is not None]
    if not have:
        return best
    return [g if g is not None else best[min(have, key=lambda s: abs(s - t))] for t, g in enumerate(best)]


def _flags(track: BallTrack, goals: list[Instance], cfg: dict) -> tuple[np.ndarray, ...]:
    """Per frame: ball in the net (mask overlap), at the goal (grown box), above the goal's top edge,
    beside the goal (level with it, left or right of its mask), touching the goal mask at all."""
    T = len(goals)
    in_net, at_goal, above, beside, touch = (np.zeros(T, bool) for _ in range(5))
    w = np.nanmedian(track.width) if np.isfinite(track.width).any() else 1.0
    for t in range(T):
        if np.isnan(track.xy[t, 0]):
            continue
        x, y = track.xy[t]
        g = goals[t]
        x0, y0, x1, y1 = g.box
        m = cfg["box_margin"] * (y1 - y0) + w
        at_goal[t] = x0 - m <= x <= x1 + m and y0 - m <= y <= y1 + m
        gm = g.mask
        col = gm[:, int(np.clip(x, 0, gm.shape[1] - 1))]
        above[t] = bool(col.any()) and y < np.argmax(col) - cfg["above_margin_px"]
        row = gm[int(np.clip(y, 0, gm.shape[0] - 1))]
        if row.any() and y0 <= y <= y1:
            cols = np.flatnonzero(row)
            beside[t] = x < cols[0] - cfg["beside_margin_px"] or x > cols[-1] + cfg["beside_margin_px"]
        if track.balls[t] is not None:
            b = track.balls[t].mask
            inside = (b & gm).sum()
            in_net[t], touch[t] = inside >= cfg["overlap_min"] * max(b.sum(), 1), inside > 0
    return in_net, at_goal, above, beside, touch


def _flagged(flag: np.ndarray, prior: list[int], frames: int, need: int = 1) -> bool:
    """`flag` holds in at least `need` of the last `frames` sightings of `prior` (all of them when
    there are fewer)."""
    last = flag[prior[-int(frames):]] if frames else flag[:0]
    return bool(len(last)) and int(last.sum()) >= min(int(need), len(last))


def _runs_out(at_goal: np.ndarray, known: np.ndarray, start: int, n: int) -> bool:
    """The ball is known to be away from the goal for `n` frames in a row after `start`."""
    run = 0
    for t in range(start, len(at_goal)):
        if known[t]:
            run = 0 if at_goal[t] else run + 1
            if run >= n:
                return True
    return False


def flight_into(track: BallTrack, goal: Instance, seen: list[int], v: dict) -> int | None:
    """The frame at which the ball's flight, fitted over its last `fit_frames` sightings (x linear,
    y quadratic in time: projected gravity), enters the goal's mask, within `horizon` frames of the
    last sighting and while approaching the goal; None when it does not."""
    pts = seen[-int(v["fit_frames"]):]
    if len(pts) < 3 or pts[-1] - pts[0] > 3 * int(v["fit_frames"]):
        return None
    t = np.array(pts, float)
    xy = track.xy[pts]
    bx = np.polyfit(t, xy[:, 0], 1)
    by = np.polyfit(t, xy[:, 1], 2 if len(pts) >= 4 else 1)
    gm = goal.mask
    H, W = gm.shape
    x0, y0, x1, y1 = goal.box
    centre = np.array([(x0 + x1) / 2, (y0 + y1) / 2])
    if np.linalg.norm(xy[-1] - centre) >= np.linalg.norm(xy[0] - centre):
        return None   # not heading for the goal
    for dt in range(1, int(v["horizon"]) + 1):
        px, py = np.polyval(bx, pts[-1] + dt), np.polyval(by, pts[-1] + dt)
        if not (0 <= px < W and 0 <= py < H):
            return None
        if gm[int(py), int(px)]:
            return pts[-1] + dt
    return None


def _vanished(track: BallTrack, at_goal: np.ndarray, above: np.ndarray, beside: np.ndarray, kick: int,
              goals: list[Instance], cfg: dict) -> int | None:
    """The ball's last sightings are inside the goal's box (under the bar, between the posts in the
    image), it did not come down from above the bar, and it is not seen at all in the clip's last
    `vanish.tail` frames: a detector that loses the ball in the net (behind the mesh) still sees a
    goal; a save, a post or a miss leaves the ball in view or away from the goal. Where the ball is
    lost before the goal, its fitted flight entering the goal's mask counts as the arrival
    (`flight_into`). The frame it arrived, or None."""
    v = cfg.get("vanish") or {}
    if not v.get("enabled"):
        return None
    seen = [t for t in range(kick + 1, len(at_goal)) if track.detected[t]]
    if not seen or len(at_goal) - 1 - seen[-1] < int(v["tail"]):
        return None
    inside = [bool(at_goal[t] and not above[t] and not beside[t]) for t in seen]
    run = len(inside) - next((i for i, ok in enumerate(reversed(inside)) if not ok), len(inside))
    if len(inside) - run >= int(v["min_frames"]):
        first = seen[run]
    elif v.get("horizon") and goals[seen[-1]] is not None:
        first = flight_into(track, goals[seen[-1]], seen, v)
        if first is None:
            return None
    else:
        return None
    prior = [t for t in seen if t < first]
    if _flagged(above, prior, cfg["over_frames"]):
        return None
    return first


def decide(track: BallTrack, detections: list[list[Instance]], kick: int | None, cfg: dict) -> GoalDecision:
    """Goal / no goal with a reason and a confidence (cfg = the `goal` section)."""
    if not track.detected.any():
        return GoalDecision(False, "no_ball", 1.0)
    if kick is None:
        return GoalDecision(False, "no_kick", 0.9)
    goals = goal_per_frame(detections)
    if all(g is None for g in goals):
        return GoalDecision(False, "no_goal_visible", 0.5)
    in_net, at_goal, above, beside, touch = _flags(track, goals, cfg)
    plane = None
    size = tuple(cfg["goal_size_m"])
    if cfg["homography"]:
        H = goal_plane(goals[kick].mask, size)
        if H is not None:
            plane = to_plane(H, track.xy)
            in_net &= in_mouth(plane, size, 1.0) | np.isnan(plane[:, 0])
    before = [t for t in range(max(kick - 3, 0), kick + 1) if not np.isnan(track.xy[t, 0])]
    plane_json = None if plane is None else np.round(plane, 3).tolist()
    if before and np.mean(in_net[before]) > 0.5:
        return GoalDecision(False, "started_at_goal", 0.8, plane_xy=plane_json)
    after = np.arange(kick + 1, len(in_net))
    net = after[in_net[after]]
    if not len(net):
        gone = _vanished(track, at_goal, above, beside, kick, goals, cfg)
        if gone is not None:
            return GoalDecision(True, "vanished_in_goal", 0.6, gone, plane_json)
        if at_goal[after].any():
            return GoalDecision(False, "rebound", 0.8, plane_xy=plane_json)
        return GoalDecision(False, "never_reached_goal", 0.9, plane_xy=plane_json)
    first = int(net[0])
    prior = [t for t in range(kick + 1, first) if track.detected[t] and not touch[t]]
    if _flagged(above, prior, cfg["over_frames"]):  # came down into the net's image from above the bar
        return GoalDecision(False, "over_or_wide", 0.8, first, plane_json)
    if cfg["wide_frames"] and _flagged(beside, prior, cfg["wide_frames"], cfg["wide_min"]):  # came in past a post, from the side
        return GoalDecision(False, "over_or_wide", 0.7, first, plane_json)
    if plane is not None:
        pre = [t for t in range(kick + 1, first + 1) if not np.isnan(plane[t, 0])]
        if pre and not in_mouth(plane[pre[-1]:pre[-1] + 1], size)[0]:
            return GoalDecision(False, "over_or_wide", 0.7, first, plane_json)
    known = track.detected
    if _runs_out(at_goal, known, first, cfg["leave_frames"]):
        return GoalDecision(False, "over_or_wide", 0.7, first, plane_json)
    rest = after[after >= first]
    seen = rest[known[rest]]
    share = float(in_net[seen].mean()) if len(seen) else 0.0
    need = max(cfg["min_frames"], min(cfg["rest_frames"], len(rest)))
    if int(in_net[seen].sum()) >= need and share >= 0.5:
        return GoalDecision(True, "rest_in_net", round(0.5 + 0.5 * share, 3), first, plane_json)
    gone = _vanished(track, at_goal, above, beside, kick, goals, cfg)
    if gone is not None:
        return GoalDecision(True, "vanished_in_goal", 0.6, gone, plane_json)
    return GoalDecision(False, "rebound", round(1 - 0.5 * share, 3), first, plane_json)
