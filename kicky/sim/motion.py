"""Player and ball timelines: run-up + kick, dribble, keeper dive, idle; sampled at frame times."""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from kicky.sim import people
from kicky.sim.ballistics import Flight, fly
from kicky.sim.goal import BALL_RADIUS
from kicky.sim.people import J, Look


@dataclass
class PlayerTrack:
    id: int
    role: str                # shooter | passer | dribbler | receiver | keeper | teammate
    look: Look
    foot: str | None         # kicking/dribbling foot, None for others
    joints: np.ndarray       # (n_frames, 16, 3) world metres

    def to_json(self) -> dict:
        return {"id": self.id, "role": self.role, "foot": self.foot,
                "look": {k: v for k, v in vars(self.look).items()}}


@dataclass
class BallPath:
    """Ball at rest at `start` until the first flight, then each flight until the next one."""
    start: np.ndarray
    flights: list[Flight]

    def state(self, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        t = np.atleast_1d(np.asarray(t, float))
        pos = np.broadcast_to(self.start, t.shape + (3,)).copy()
        vel = np.zeros(t.shape + (3,))
        for f in self.flights:
            sel = t >= f.t0
            if sel.any():
                pos[sel], vel[sel] = f.state_at(t[sel])
        return pos, vel


def _yaw(v) -> float:
    return math.atan2(v[1], v[0])


def _unit(yaw: float) -> np.ndarray:
    return np.array([math.cos(yaw), math.sin(yaw), 0.0])


def _angle_lerp(a: float, b: float, w: float) -> float:
    d = (b - a + math.pi) % (2 * math.pi) - math.pi
    return a + d * min(1.0, max(0.0, w))


def contact_pelvis(ball: np.ndarray, heading: float, foot: str) -> np.ndarray:
    """Pelvis position that puts the kicking ankle just behind the ball at contact."""
    j = people.grounded(people.skeleton(np.zeros(3), heading, people.kick_pose(0.0, foot)), foot[0])
    ankle = j[J[f"{foot[0]}_ankle"]]
    pelvis = np.asarray(ball, float) - ankle - _unit(heading) * 0.13
    pelvis[2] = 0.0
    return pelvis


def kicker_joints(times: np.ndarray, t_kick: float, ball: np.ndarray, heading: float, foot: str,
                  run_yaw: float, run_speed: float, scale: float) -> np.ndarray:
    """Run-up along `run_yaw`, kick at t_kick with `foot`, follow-through and slow down."""
    pc = contact_pelvis(ball, heading, foot)
    d_run, d_shot = _unit(run_yaw), _unit(heading)
    out = np.empty((len(times), len(people.JOINTS), 3))
    for i, t in enumerate(times):
        tau = t - t_kick
        if tau < 0:  # constant speed, then braking to 2 m/s over the last 0.5 s
            if tau > -0.5:
                v0 = 2.0
                dist = v0 * -tau + (run_speed - v0) * tau * tau
                speed = v0 + (run_speed - v0) * (-tau / 0.5)
            else:
                dist = 2.0 * 0.5 + (run_speed - 2.0) * 0.25 + run_speed * (-tau - 0.5)
                speed = run_speed
            pelvis = pc - d_run * dist
        else:  # follow-through, decelerating to a stop
            dist = 2.0 * min(tau, 0.8) - 1.25 * min(tau, 0.8) ** 2
            pelvis = pc + d_shot * dist
            speed = max(0.0, 2.0 - 2.5 * tau)
        yaw = _angle_lerp(run_yaw, heading, (tau + 0.7) / 0.4)
        run = people.run_pose(2 * math.pi * (-dist if tau < 0 else dist) / 2.2, speed)
        if tau < -0.6:
            pose = run
        elif tau < -0.45:
            pose = people.blend(run, people.kick_pose(-0.45, foot), (tau + 0.6) / 0.15)
        elif tau <= 0.5:
            pose = people.kick_pose(tau, foot)
        else:
            pose = people.blend(people.kick_pose(0.5, foot), people.idle_pose(t, 0.0), (tau - 0.5) / 0.4)
        free = foot[0] if -0.35 < tau < 0.35 else None
        out[i] = people.grounded(people.skeleton(pelvis, yaw, pose, scale), free)
    return out


def idle_joints(times: np.ndarray, pos: np.ndarray, yaw: float, scale: float, seed: float,
                jog: np.ndarray | None = None) -> np.ndarray:
    """Standing (or jogging with velocity `jog` m/s) player."""
    out = np.empty((len(times), len(people.JOINTS), 3))
    speed = 0.0 if jog is None else float(np.linalg.norm(jog))
    for i, t in enumerate(times):
        p = np.asarray(pos, float) + (0 if jog is None else jog * t)
        pose = people.idle_pose(t, seed) if speed < 0.3 else people.run_pose(2 * math.pi * speed * t / 2.0, speed)
        y = yaw if speed < 0.3 else _yaw(jog)
        out[i] = people.grounded(people.skeleton(p, y, pose, scale))
    return out


def keeper_joints(times: np.ndarray, pos: np.ndarray, scale: float, dive: tuple | None) -> np.ndarray:
    """Keeper facing the pitch (+y). `dive` = (t_start, t_full, side, pelvis_end) or None."""
    out = np.empty((len(times), len(people.JOINTS), 3))
    yaw = math.pi / 2
    for i, t in enumerate(times):
        if dive is None or t < dive[0]:
            j = people.skeleton(pos, yaw, people.keeper_pose(0.0, 1.0), scale)
            out[i] = people.grounded(j)
            continue
        t0, t1, side, end = dive
        w = min(1.0, (t - t0) / (t1 - t0))
        j = people.skeleton(np.zeros(3), yaw, people.keeper_pose(w, side), scale)
        start = pos + np.array([0, 0, people.grounded(people.skeleton(pos, yaw, people.keeper_pose(0, side),
                                                                      scale))[J["l_hip"], 2] - pos[2]])
        pelvis = start + (end - start) * w
        if t > t1:  # fall to the ground after the dive
            fall = min(1.0, (t - t1) / 0.4)
            pelvis = pelvis.copy()
            pelvis[2] = end[2] + (0.3 - end[2]) * fall
        out[i] = j + pelvis
    return out


def keeper_reach(side: float, scale: float) -> np.ndarray:
    """Offset from pelvis to the reaching wrist at full dive (facing +y)."""
    j = people.skeleton(np.zeros(3), math.pi / 2, people.keeper_pose(1.0, side), scale)
    wrist = "l_wrist" if side > 0 else "r_wrist"
    return j[J[wrist]]


def dribble(t_end: float, start: np.ndarray, yaw: float, speed: float, t0: float, n_touches: int,
            every: float, goal) -> tuple[list[Flight], list[float]]:
    """Touch the ball ahead every `every` s while jogging at `speed`; returns flights and touch times."""
    d = _unit(yaw)
    flights, touch_t = [], []
    pos = np.array([*start[:2], BALL_RADIUS])
    u = speed + 0.5 * 1.3 * every  # reaches the next touch point under rolling deceleration
    for k in range(n_touches):
        t = t0 + k * every
        if flights:
            pos = flights[-1].state_at(t)[0]
        v = d * (u if k < n_touches - 1 else speed * 1.6)
        dur = every if k < n_touches - 1 else max(0.1, t_end - t)
        flights.append(fly(pos, v, goal, t, dur + 0.05))
        touch_t.append(t)
    return flights, touch_t
