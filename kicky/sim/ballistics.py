"""Ball flight: gravity, quadratic drag, bounces and rolling on grass, post/bar rebounds, net capture.

Pure Python floats in the inner loop (a few thousand steps per clip): faster than numpy on 3-vectors.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from kicky.sim.goal import BALL_RADIUS, Goal

G = 9.81
DRAG_K = 0.5 * 1.2 * 0.25 * math.pi * BALL_RADIUS**2 / 0.43  # rho*Cd*A/(2m), 1/m
ROLL_DECEL = 1.2  # m/s^2 on grass
DT = 1 / 600


@dataclass
class Flight:
    """Ball centre sampled every DT seconds from the kick; `events` are (time, name, position)."""
    t0: float
    pos: np.ndarray
    vel: np.ndarray
    events: list = field(default_factory=list)

    def state_at(self, t: float | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Linear interpolation of position/velocity; before t0 the ball sits at its start."""
        s = np.clip((np.asarray(t, float) - self.t0) / DT, 0, len(self.pos) - 1)
        i = np.minimum(np.floor(s).astype(int), len(self.pos) - 2)
        w = (s - i)[..., None]
        p = self.pos[i] * (1 - w) + self.pos[i + 1] * w
        v = self.vel[i] * (1 - w) + self.vel[i + 1] * w
        before = (np.asarray(t) < self.t0)[..., None]
        return p, np.where(before, 0.0, v)

    def first(self, name: str):
        return next((e for e in self.events if e[1] == name), None)

    def outcome(self, goal: Goal) -> str:
        names = {e[1] for e in self.events}
        if "goal" in names:
            return "goal"
        if "save" in names:
            return "saved"
        if names & {"post", "bar"}:
            return "post"
        cross = self.first("goal_line")
        if cross is None:
            return "short"
        return "wide" if abs(cross[2][0]) > goal.width / 2 else "over"


def _hit_tube(p, v, a, b, radius):
    """Reflect v off a cylinder with axis a-b when the ball centre is within reach; returns v or None."""
    ab = [b[k] - a[k] for k in range(3)]
    L2 = sum(c * c for c in ab)
    s = max(0.0, min(1.0, sum((p[k] - a[k]) * ab[k] for k in range(3)) / L2))
    q = [a[k] + s * ab[k] for k in range(3)]
    n = [p[k] - q[k] for k in range(3)]
    d = math.sqrt(sum(c * c for c in n))
    if d >= radius + BALL_RADIUS or d == 0:
        return None
    n = [c / d for c in n]
    vn = sum(v[k] * n[k] for k in range(3))
    if vn >= 0:
        return None
    e = 0.65
    return [v[k] - (1 + e) * vn * n[k] for k in range(3)]


def _in_box(goal: Goal, p) -> bool:
    if not (-goal.depth <= p[1] <= 0 and abs(p[0]) <= goal.width / 2 and p[2] >= 0):
        return False
    return p[2] <= goal.height + (goal.back_height - goal.height) * min(1.0, -p[1] / goal.depth)


def fly(p0, v0, goal: Goal, t0: float, duration: float, *, save_plane: float | None = None,
        save_rng: np.random.Generator | None = None, stop_at=None, back_wall_y: float = -15.0) -> Flight:
    """Integrate the ball from p0 with velocity v0 (m, m/s) for `duration` seconds."""
    p, v = [float(c) for c in p0], [float(c) for c in v0]
    r = BALL_RADIUS
    tubes = [(a.tolist(), b.tolist()) for a, b in goal.post_axes()]
    n = int(duration / DT) + 2
    P, V, events = np.empty((n, 3)), np.empty((n, 3)), []
    in_goal, saved, stopped, hit_tube_at = False, False, False, -1.0
    for i in range(n):
        P[i], V[i] = p, v
        t = t0 + i * DT
        speed = math.sqrt(v[0] ** 2 + v[1] ** 2 + v[2] ** 2)
        on_ground = p[2] <= r + 1e-3 and abs(v[2]) < 0.3
        acc = [-DRAG_K * speed * v[0], -DRAG_K * speed * v[1], -DRAG_K * speed * v[2] - G]
        if on_ground:
            acc[2] = 0.0
            hs = math.hypot(v[0], v[1])
            if hs > 1e-6:
                dec = min(ROLL_DECEL, hs / DT)
                acc[0] -= dec * v[0] / hs
                acc[1] -= dec * v[1] / hs
        pn = [p[k] + v[k] * DT + 0.5 * acc[k] * DT * DT for k in range(3)]
        vn = [v[k] + acc[k] * DT for k in range(3)]
        # the goal line: in, over or wide
        if p[1] > 0 >= pn[1] and not in_goal:
            events.append((t, "goal_line", list(pn)))
            if abs(pn[0]) < goal.width / 2 and pn[2] < goal.height:
                in_goal = True
                events.append((t, "goal", list(pn)))
        if save_plane is not None and not saved and p[1] > save_plane >= pn[1]:
            saved = True
            events.append((t, "save", list(pn)))
            rng = save_rng or np.random.default_rng(0)
            vn = [vn[0] * 0.3 + rng.uniform(-2, 2), -abs(vn[1]) * 0.25, abs(vn[2]) * 0.3 + rng.uniform(0, 2)]
        if t - hit_tube_at > 0.05 and not in_goal and abs(pn[1]) < 0.5:
            for name, (a, b) in zip(("post", "post", "bar"), tubes):
                refl = _hit_tube(pn, vn, a, b, goal.post_radius)
                if refl is not None:
                    vn, hit_tube_at = refl, t
                    events.append((t, name, list(pn)))
                    break
        if in_goal:  # the net absorbs the ball: back, sides and roof
            if pn[1] < -goal.depth + r:
                pn[1], vn = -goal.depth + r, [vn[0] * 0.4, abs(vn[1]) * 0.12, vn[2] * 0.4]
                if not any(e[1] == "net" for e in events):
                    events.append((t, "net", list(pn)))
            for sgn in (-1, 1):
                if sgn * pn[0] > goal.width / 2 - r:
                    pn[0], vn[0] = sgn * (goal.width / 2 - r), -vn[0] * 0.12
            roof = goal.height + (goal.back_height - goal.height) * min(1.0, max(0.0, -pn[1] / goal.depth))
            if pn[2] > roof - r:
                pn[2], vn[2] = roof - r, -abs(vn[2]) * 0.1
            if pn[1] > -r:
                pn[1], vn[1] = -r, -abs(vn[1]) * 0.1
        elif pn[1] < 0 and _in_box(goal, pn) and not _in_box(goal, p):  # hits the net from outside (roof, side, back)
            pn, vn = list(p), [-0.15 * c for c in vn]
            if not any(e[1] == "outside_net" for e in events):
                events.append((t, "outside_net", list(p)))
        if pn[1] < back_wall_y + r:
            pn[1], vn[1] = back_wall_y + r, abs(vn[1]) * 0.2
        if pn[2] < r:  # ground bounce
            pn[2] = r
            if vn[2] < -0.3:
                vn = [vn[0] * 0.85, vn[1] * 0.85, -vn[2] * 0.55]
                events.append((t, "bounce", list(pn)))
            else:
                vn[2] = 0.0
        if stop_at is not None and not stopped and math.hypot(pn[0] - stop_at[0], pn[1] - stop_at[1]) < 0.5:
            stopped, vn = True, [c * 0.05 for c in vn]
            events.append((t, "received", list(pn)))
        if vn[0] * vn[0] + vn[1] * vn[1] + vn[2] * vn[2] < 0.0025 and pn[2] <= r + 1e-3:
            vn = [0.0, 0.0, 0.0]
            if i + 1 < n:  # at rest for good: fill the rest and stop integrating
                P[i + 1:], V[i + 1:] = pn, vn
                break
        p, v = pn, vn
    return Flight(t0, P, V, events)


def aim(p0, target, speed: float, goal: Goal) -> np.ndarray | None:
    """Initial velocity of `speed` m/s from p0 whose drag-only flight crosses the goal line plane
    at target height (bisection on elevation; the heading points straight at the target)."""
    p0, target = np.asarray(p0, float), np.asarray(target, float)
    heading = target[:2] - p0[:2]
    heading /= np.linalg.norm(heading)

    hx, hy = float(heading[0]), float(heading[1])
    tx, ty, px0, py0, pz0 = float(target[0]), float(target[1]), float(p0[0]), float(p0[1]), float(p0[2])
    dt = 1 / 300

    def height_at_line(elev):
        vh, vz = speed * math.cos(elev), speed * math.sin(elev)
        vx, vy = hx * vh, hy * vh
        x, y, z = px0, py0, pz0
        for _ in range(3000):
            s = math.sqrt(vx * vx + vy * vy + vz * vz)
            vx -= DRAG_K * s * vx * dt
            vy -= DRAG_K * s * vy * dt
            vz -= (DRAG_K * s * vz + G) * dt
            x, y, z = x + vx * dt, y + vy * dt, z + vz * dt
            if (x - tx) * hx + (y - ty) * hy >= 0:
                return z
            if z < -5:
                return -math.inf
        return -math.inf

    lo, hi = math.radians(-3), math.radians(35)
    if height_at_line(hi) < target[2]:
        return None
    for _ in range(24):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if height_at_line(mid) < target[2] else (lo, mid)
    elev = (lo + hi) / 2
    return np.array([*(heading * speed * math.cos(elev)), speed * math.sin(elev)])
