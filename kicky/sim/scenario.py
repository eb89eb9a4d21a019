"""One clip's story, sampled from a seed: goal, players, ball physics, camera and scene look.

Shots are planned by outcome (aim at a target, integrate, keep the plan whose simulated outcome is the
wanted one); the truth always comes from the simulated flight, never from the plan.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from kicky.errors import KickyError
from kicky.sim import motion, people
from kicky.sim.ballistics import Flight, aim, fly
from kicky.sim.camera import Camera, look_at, rot_xyz
from kicky.sim.config import NON_SHOTS, SimConfig
from kicky.sim.goal import BALL_RADIUS, Goal


@dataclass
class Scenario:
    cfg: SimConfig
    fps: int
    n_frames: int
    goal: Goal
    camera: Camera
    shake: np.ndarray          # (n_frames, 3, 3) camera-frame rotation per frame
    players: list
    ball: motion.BallPath
    kind: str                  # shot | pass | dribble | trap
    outcome: str               # goal | saved | post | over | wide | no_shot
    kick_frame: int | None
    shooter: int | None
    foot: str | None
    speed_kmh: float | None
    touches: list
    events: list
    scene: dict
    handheld: bool

    @property
    def times(self) -> np.ndarray:
        return np.arange(self.n_frames) / self.fps

    def camera_at(self, i: int) -> Camera:
        return self.camera.rotated(self.shake[i])


def _u(rng, lo_hi) -> float:
    return float(rng.uniform(*lo_hi))


def _shot_target(rng, goal: Goal, outcome: str) -> np.ndarray:
    hw, h, pr = goal.width / 2, goal.height, goal.post_radius
    if outcome in ("goal", "saved"):
        return np.array([rng.uniform(-hw + 0.35, hw - 0.35), 0.0, rng.uniform(0.15, h - 0.3)])
    if outcome == "post":
        if rng.random() < 0.6:
            sgn = rng.choice([-1, 1])
            return np.array([sgn * (hw + pr + rng.uniform(-0.1, 0.1)), 0.0, rng.uniform(0.3, h - 0.3)])
        return np.array([rng.uniform(-hw + 0.5, hw - 0.5), 0.0, h + pr + rng.uniform(-0.1, 0.1)])
    if outcome == "over":
        return np.array([rng.uniform(-hw, hw), 0.0, h + rng.uniform(0.4, 2.5)])
    sgn = rng.choice([-1, 1])  # wide
    return np.array([sgn * (hw + rng.uniform(0.4, 3.0)), 0.0, rng.uniform(0.15, 2.0)])


def _crossing(flight: Flight, y: float):
    """First (time, position) where the ball crosses the plane y (moving towards the goal)."""
    below = np.nonzero(flight.pos[:, 1] <= y)[0]
    if len(below) == 0:
        return None
    i = int(below[0])
    return flight.t0 + i * (1 / 600), flight.pos[i]


def _plan_shot(cfg: SimConfig, rng, goal: Goal, want: str, t_kick: float, keeper: bool):
    small = goal.width < 5
    last = None
    for _ in range(300):
        dist = rng.uniform(4, 14) if small else rng.uniform(6, 25)
        ang = math.radians(rng.uniform(-45, 45))
        spot = np.array([dist * math.sin(ang), max(3.0, dist * math.cos(ang)), BALL_RADIUS])
        speed = _u(rng, cfg.speed_kmh) / 3.6
        target = _shot_target(rng, goal, want)
        v0 = aim(spot, target, speed, goal)
        if v0 is None:
            continue
        probe = fly(spot, v0, goal, t_kick, min(4.0, 0.3 + 1.6 * np.linalg.norm(spot[:2]) / speed))
        keeper_plan = None
        if keeper or want == "saved":
            y_s = rng.uniform(0.6, 1.2)
            cross = _crossing(probe, y_s)
            if cross is None:
                continue
            t_s, p_s = cross
            if want == "saved":
                side = float(rng.choice([-1.0, 1.0]))  # +1: keeper's own left, i.e. world -x
                reach = motion.keeper_reach(side, 1.0)
                end = np.array([p_s[0], y_s, p_s[2]]) - reach
                start_x = float(np.clip(end[0] + side * rng.uniform(0.3, 1.0), -goal.width / 2, goal.width / 2))
                if not (0.25 < end[2] < 1.7):
                    continue
                keeper_plan = dict(pos=np.array([start_x, y_s, 0.9]), dive=(t_s - 0.35, t_s, side, end))
            else:
                x_k = float(np.clip(rng.normal(0, 0.8), -goal.width / 2 + 0.5, goal.width / 2 - 0.5))
                if abs(x_k - p_s[0]) < 1.4 and p_s[2] < 2.3:
                    continue  # the ball would fly through the keeper
                keeper_plan = dict(pos=np.array([x_k, y_s, 0.9]), dive=None)
        save_plane = keeper_plan["pos"][1] if (keeper_plan and keeper_plan["dive"]) else None
        flight = fly(spot, v0, goal, t_kick, 4.0, save_plane=save_plane,
                     save_rng=np.random.default_rng(int(rng.integers(1 << 31))))
        got = flight.outcome(goal)
        if got == "short":
            continue
        last = (spot, v0, flight, got, keeper_plan)
        if got == want:
            return last
    if last is None:
        raise KickyError(f"sim: could not plan a '{want}' shot with speed_kmh={list(cfg.speed_kmh)}")
    return last


def _shake(rng, n: int, handheld: bool) -> np.ndarray:
    amp = rng.uniform(0.15, 0.7) if handheld else rng.uniform(0.0, 0.04)
    walk = np.cumsum(rng.normal(0, 1, (n + 30, 3)), 0)
    k = np.ones(5) / 5
    smooth = np.stack([np.convolve(walk[:, c], k, "same") for c in range(3)], 1)[15:15 + n]
    smooth -= smooth.mean(0)
    smooth *= amp / (np.abs(smooth).max() + 1e-9)
    jitter = rng.normal(0, amp * 0.15, (n, 3))
    ang = smooth + jitter
    return np.stack([rot_xyz(a, b, c * 0.5) for a, b, c in ang])


def _fits(cam: Camera, pts: np.ndarray, margin: float) -> bool:
    uv, z = cam.project(pts)
    return bool((z > 1.0).all() and (uv[:, 0] > margin).all() and (uv[:, 0] < cam.width - margin).all()
                and (uv[:, 1] > margin).all() and (uv[:, 1] < cam.height - margin).all())


def _place_camera(cfg: SimConfig, rng, must_see: np.ndarray, anchor: np.ndarray) -> Camera:
    """Phone on a tripod or in hand, 8-40 m from the goal, looking at the action, all of it in view."""
    aim_dir = math.atan2(anchor[0], anchor[1])
    best = None
    for attempt in range(400):
        dist = _u(rng, cfg.camera_distance_m)
        side = rng.uniform(-40, 40) if rng.random() < 0.6 else rng.choice([-1, 1]) * rng.uniform(35, 80)
        phi = aim_dir + math.radians(side)
        pos = np.array([dist * math.sin(phi), dist * math.cos(phi), _u(rng, cfg.camera_height_m)])
        if pos[1] < 1.0:
            continue
        roll = rng.uniform(-5, 5) if rng.random() < 0.6 else rng.uniform(-cfg.roll_deg, cfg.roll_deg)
        hfov = _u(rng, cfg.hfov_deg)
        dirs = must_see - pos
        dirs /= np.linalg.norm(dirs, axis=1, keepdims=True)
        target = pos + dirs.mean(0) * 10
        cam = look_at(pos, target, roll, hfov, cfg.width, cfg.height)
        if _fits(cam, must_see, 0.04 * cfg.width):
            return cam
        if attempt > 200:  # widen the lens rather than give up
            cam = look_at(pos, target, roll, cfg.hfov_deg[1], cfg.width, cfg.height)
            if _fits(cam, must_see, 0.02 * cfg.width):
                best = cam
                break
    if best is None:
        raise KickyError("sim: found no camera placement that sees the action; widen hfov_deg or "
                         "camera_distance_m")
    return best


def _scene_look(cfg: SimConfig, rng) -> dict:
    overcast = rng.random() < 0.3
    grass = np.array([rng.uniform(40, 75), rng.uniform(110, 165), rng.uniform(45, 95)])  # BGR
    return {
        "grass_bgr": grass.tolist(),
        "stripe_m": float(rng.uniform(4.0, 7.0)),
        "stripe_contrast": float(rng.uniform(0.03, 0.12)),
        "wear": float(rng.uniform(0.0, 0.6)),
        "lines": bool(rng.random() < 0.75),
        "backdrop": str(rng.choice(["trees", "buildings", "fence_trees", "stands"])),
        "backdrop_radius_m": float(rng.uniform(45, 90)),
        "sky_bgr": ([200, 200, 195] if overcast else [rng.uniform(200, 250), rng.uniform(160, 200), 120]),
        "overcast": bool(overcast),
        "sun_azimuth_deg": float(rng.uniform(0, 360)),
        "sun_elevation_deg": float(rng.uniform(20, 60)),
        "shadow_strength": 0.0 if overcast else float(rng.uniform(0.3, 0.55)),
        "shade_band": bool((not overcast) and rng.random() < 0.35),
        "brightness": float(rng.uniform(0.8, 1.15)),
        "exposure_drift": float(rng.uniform(0.0, 0.06)),
        "noise_sigma": _u(rng, cfg.noise_sigma),
        "shutter": _u(rng, cfg.shutter),
        "bitrate_bps": int(_u(rng, cfg.bitrate_bps_1080p) * max(cfg.scale, 0.05)),
        "texture_seed": int(rng.integers(1 << 31)),
    }


def _extras(rng, n: int, avoid: list[np.ndarray], goal: Goal, times, start_id: int, kit) -> list:
    out, pid = [], start_id
    for _ in range(200):
        if len(out) >= n:
            break
        pos = np.array([rng.uniform(-14, 14), rng.uniform(3, 22), 0.9])
        if any(np.linalg.norm(pos[:2] - a[:2]) < 2.5 for a in avoid):
            continue
        jog = None if rng.random() < 0.5 else motion._unit(rng.uniform(0, 2 * math.pi)) * rng.uniform(0.8, 2.5)
        look = people.random_look(rng, kit if rng.random() < 0.5 else None)
        yaw = float(rng.uniform(0, 2 * math.pi))
        joints = motion.idle_joints(times, pos, yaw, look.scale, float(rng.uniform(0, 6)), jog)
        out.append(motion.PlayerTrack(pid, "teammate", look, None, joints))
        avoid.append(pos)
        pid += 1
    return out


def _events(flights: list[Flight], fps: int) -> list[dict]:
    ev = []
    for f in flights:
        for t, name, pos in f.events:
            ev.append({"time": round(t, 4), "frame": int(round(t * fps)), "name": name,
                       "pos": [round(c, 4) for c in pos]})
    return ev


def sample(cfg: SimConfig, rng: np.random.Generator, index: int | None = None) -> Scenario:
    """Draw one clip's scenario; with cfg.balanced, clip `index` fixes outcome, foot and kind."""
    fps = cfg.fps
    goal = Goal.small_sided() if rng.random() < cfg.small_goal_prob else Goal()
    names = list(cfg.outcome_weights)
    w = np.array([cfg.outcome_weights[k] for k in names], float)
    outcome = names[int(rng.choice(len(names), p=w / w.sum()))]
    kind = "shot" if outcome != "no_shot" else str(rng.choice(NON_SHOTS))
    foot = str(rng.choice(["left", "right"]))
    if cfg.balanced and index is not None:  # cycle outcomes, feet and non-shot kinds by clip index
        live = [k for k in names if cfg.outcome_weights[k] > 0]
        outcome = live[index % len(live)]
        turn = index // len(live)
        foot = ("left", "right")[(index + turn) % 2]
        kind = "shot" if outcome != "no_shot" else NON_SHOTS[turn % len(NON_SHOTS)]
    kit = people.random_look(rng)
    kit = (kit.shirt, kit.shorts)
    kick_frame = int(round(rng.uniform(1.0, 1.6) * fps))
    t_kick = kick_frame / fps
    players, touches, flights = [], [], []
    must_see = [*goal.corners()[:4]]
    shooter = speed_kmh = None
    n_extra = int(rng.integers(cfg.extra_players[0], cfg.extra_players[1] + 1))

    def finish(t_end):
        return int(math.ceil(min(max(t_end, 3.0), 5.5) * fps))

    if kind == "shot":
        keeper = rng.random() < cfg.keeper_prob
        spot, v0, flight, outcome, kp = _plan_shot(cfg, rng, goal, outcome, t_kick, keeper)
        flights = [flight]
        cross = _crossing(flight, 0.0)
        t_arrive = cross[0] if cross else t_kick + 2.0
        n = finish(t_arrive + rng.uniform(1.0, 1.6))
        times = np.arange(n) / fps
        heading = math.atan2(v0[1], v0[0])
        look = people.random_look(rng, kit)
        run_yaw = heading + math.radians(rng.uniform(15, 40)) * (-1 if foot == "right" else 1)
        joints = motion.kicker_joints(times, t_kick, spot, heading, foot, run_yaw, rng.uniform(3, 5.5), look.scale)
        players.append(motion.PlayerTrack(1, "shooter", look, foot, joints))
        touches.append({"frame": kick_frame, "time": t_kick, "player": 1, "foot": foot, "kind": "shot"})
        shooter, speed_kmh = 1, float(np.linalg.norm(v0) * 3.6)
        if kp:
            klook = people.random_look(rng)
            players.append(motion.PlayerTrack(2, "keeper", klook, None,
                                              motion.keeper_joints(times, kp["pos"], klook.scale, kp["dive"])))
        flight_pts = flight.pos[: int((t_arrive - t_kick) * 600) + 1: 30]
        must_see += [joints[0, people.J["head"]], joints[kick_frame, people.J["head"]], *flight_pts]
        avoid = [spot, joints[0, 0], *flight.pos[::60]]
        start = spot
    elif kind == "pass":
        spot = np.array([rng.uniform(-10, 10), rng.uniform(8, 22), BALL_RADIUS])
        yaw = rng.uniform(0.1, math.pi - 0.1)
        d = rng.uniform(8, 18)
        recv = spot + motion._unit(yaw) * d
        speed = max(_u(rng, (25, 60)) / 3.6, math.sqrt(2 * 1.3 * d) + 2.0)
        v0 = motion._unit(yaw) * speed
        flight = fly(spot, v0, goal, t_kick, 4.0, stop_at=recv - motion._unit(yaw) * 0.4)
        flights = [flight]
        rec = flight.first("received")
        n = finish((rec[0] if rec else t_kick + 2) + rng.uniform(0.8, 1.4))
        times = np.arange(n) / fps
        look = people.random_look(rng, kit)
        run_yaw = yaw + math.radians(rng.uniform(15, 40)) * (-1 if foot == "right" else 1)
        joints = motion.kicker_joints(times, t_kick, spot, yaw, foot, run_yaw, rng.uniform(2, 4), look.scale)
        players.append(motion.PlayerTrack(1, "passer", look, foot, joints))
        rlook = people.random_look(rng, kit)
        rpos = np.array([recv[0], recv[1], 0.9])
        players.append(motion.PlayerTrack(2, "receiver", rlook, None, motion.idle_joints(
            times, rpos, yaw + math.pi, rlook.scale, 1.0)))
        touches.append({"frame": kick_frame, "time": t_kick, "player": 1, "foot": foot, "kind": "pass"})
        if rec:
            touches.append({"frame": int(round(rec[0] * fps)), "time": rec[0], "player": 2, "foot": None,
                            "kind": "receive"})
        must_see += [joints[0, 0], rpos + [0, 0, 0.9], spot]
        avoid = [spot, recv, joints[0, 0]]
        start = spot
    elif kind == "dribble":
        yaw = rng.uniform(0.2, math.pi - 0.2)
        pelvis0 = np.array([rng.uniform(-10, 10), rng.uniform(7, 20), 0.9])
        speed = rng.uniform(2.5, 4.0)
        every = rng.uniform(0.45, 0.6)
        n_t = int(rng.integers(3, 6))
        t0 = rng.uniform(0.3, 0.8)
        n = finish(t0 + n_t * every + rng.uniform(0.8, 1.5))
        times = np.arange(n) / fps
        fwd = motion._unit(yaw)
        lat = np.cross([0, 0, 1.0], fwd) * (0.1 if foot == "left" else -0.1)
        ball0 = pelvis0 + fwd * 0.45 + lat
        flights, tt = motion.dribble(n / fps, ball0, yaw, speed, t0, n_t, every, goal)
        look = people.random_look(rng, kit)
        jog = fwd * speed
        joints = np.concatenate([
            motion.idle_joints(times[times < t0], pelvis0, yaw, look.scale, 0.0),
            motion.idle_joints(times[times >= t0], pelvis0 - jog * t0, yaw, look.scale, 0.0, jog)])
        players.append(motion.PlayerTrack(1, "dribbler", look, foot, joints))
        touches += [{"frame": int(round(t * fps)), "time": t, "player": 1, "foot": foot, "kind": "dribble"}
                    for t in tt]
        end_pos = flights[-1].pos[-1]
        must_see += [joints[0, 0], joints[-1, 0], end_pos]
        avoid = [pelvis0, joints[-1, 0], end_pos]
        start = ball0
    else:  # trap: the ball already sits in front of the goal, nobody shoots
        start = np.array([rng.uniform(-goal.width / 2 + 0.4, goal.width / 2 - 0.4), rng.uniform(0.3, 2.5),
                          BALL_RADIUS])
        n = finish(rng.uniform(3.0, 4.5))
        times = np.arange(n) / fps
        look = people.random_look(rng, kit)
        ppos = np.array([rng.uniform(-6, 6), rng.uniform(5, 14), 0.9])
        jog = (start - ppos) * np.array([1, 1, 0])
        jog = jog / np.linalg.norm(jog) * rng.uniform(0.0, 1.2)
        players.append(motion.PlayerTrack(1, "teammate", look, None, motion.idle_joints(
            times, ppos, math.atan2(-ppos[1], -ppos[0]), look.scale, 2.0, jog if np.linalg.norm(jog) > 0.3 else None)))
        must_see += [start, ppos]
        avoid = [start, ppos, ppos + jog * times[-1]]
    n_extra = min(n_extra, 3 - len(players))
    players += _extras(rng, n_extra, avoid, goal, times, len(players) + 1, kit)
    pts = np.array([np.asarray(p, float) for p in must_see])
    anchor = np.asarray(start, float) * 0.6
    camera = _place_camera(cfg, rng, pts, anchor)
    handheld = bool(rng.random() < cfg.handheld_prob)
    return Scenario(cfg=cfg, fps=fps, n_frames=n, goal=goal, camera=camera, shake=_shake(rng, n, handheld),
                    players=players, ball=motion.BallPath(np.asarray(start, float), flights), kind=kind,
                    outcome=outcome if kind == "shot" else "no_shot",
                    kick_frame=kick_frame if kind == "shot" else None, shooter=shooter,
                    foot=foot if kind == "shot" else None, speed_kmh=speed_kmh, touches=touches,
                    events=_events(flights, fps), scene=_scene_look(cfg, rng), handheld=handheld)
