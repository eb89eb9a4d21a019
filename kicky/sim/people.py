"""Articulated players: a 15-joint skeleton driven by a few angles, animated as run-up, kick,
follow-through, jog or idle. Everything here is kinematics in metres; drawing lives in render.py.

Body frame: `fwd` is the horizontal heading, `left = up x fwd` the player's own left.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, fields

import numpy as np

JOINTS = ("head", "neck", "l_shoulder", "r_shoulder", "l_elbow", "r_elbow", "l_wrist", "r_wrist",
          "l_hip", "r_hip", "l_knee", "r_knee", "l_ankle", "r_ankle", "l_foot", "r_foot")
J = {name: i for i, name in enumerate(JOINTS)}
# Limbs as (joint a, joint b, radius in m, part); drawn as shaded capsules.
LIMBS = (("l_hip", "l_knee", 0.085, "shorts"), ("r_hip", "r_knee", 0.085, "shorts"),
         ("l_knee", "l_ankle", 0.06, "sock"), ("r_knee", "r_ankle", 0.06, "sock"),
         ("l_ankle", "l_foot", 0.05, "shoe"), ("r_ankle", "r_foot", 0.05, "shoe"),
         ("l_shoulder", "l_elbow", 0.055, "sleeve"), ("r_shoulder", "r_elbow", 0.055, "sleeve"),
         ("l_elbow", "l_wrist", 0.045, "skin"), ("r_elbow", "r_wrist", 0.045, "skin"),
         ("neck", "head", 0.06, "skin"))

THIGH, SHIN, FOOT, ANKLE_H = 0.44, 0.43, 0.2, 0.08
HIP_HALF, SHOULDER_HALF, TORSO, NECK, HEAD_R = 0.1, 0.19, 0.5, 0.1, 0.11
UPPER_ARM, FOREARM = 0.3, 0.27


@dataclass(frozen=True)
class Look:
    """Colours (BGR) and size of one player."""
    shirt: tuple
    shorts: tuple
    sock: tuple
    shoe: tuple
    skin: tuple
    hair: tuple
    scale: float = 1.0
    sleeve_long: bool = False


@dataclass(frozen=True)
class Pose:
    """Joint angles (radians) of one instant; legs/arms in the sagittal plane of the body."""
    hip_l: float = 0.0     # thigh angle from vertical, + forward
    knee_l: float = 0.1    # knee flexion, + bends the shin back
    hip_r: float = 0.0
    knee_r: float = 0.1
    arm_l: float = 0.0     # shoulder flexion, + forward
    arm_r: float = 0.0
    abd_l: float = 0.15    # arm abduction, + outwards
    abd_r: float = 0.15
    elbow: float = 0.4
    lean: float = 0.05     # trunk pitch, + forward
    side_lean: float = 0.0  # trunk roll, + towards the player's left
    leg_abd_l: float = 0.0  # leg abduction, + outwards
    leg_abd_r: float = 0.0


def _leg(hip, fwd, out, up, a, k, abd):
    d_thigh = math.sin(a) * fwd - math.cos(a) * up
    d_thigh = d_thigh * math.cos(abd) + out * math.sin(abd)
    knee = hip + THIGH * d_thigh
    b = a - k
    d_shin = math.sin(b) * fwd - math.cos(b) * up
    d_shin = d_shin * math.cos(abd) + out * math.sin(abd)
    ankle = knee + SHIN * d_shin
    foot_dir = fwd * math.cos(b * 0.6) + up * math.sin(max(b, -0.3) * 0.6)
    return knee, ankle, ankle + FOOT * foot_dir


def skeleton(pelvis: np.ndarray, heading: float, pose: Pose, scale: float = 1.0) -> np.ndarray:
    """World joints (16, 3) for a pelvis centre, heading (radians, world xy) and pose."""
    up = np.array([0.0, 0.0, 1.0])
    fwd = np.array([math.cos(heading), math.sin(heading), 0.0])
    left = np.cross(up, fwd)
    # trunk axis: pitched forward by lean, rolled sideways by side_lean
    trunk = math.cos(pose.lean) * up + math.sin(pose.lean) * fwd
    trunk = trunk * math.cos(pose.side_lean) + left * math.sin(pose.side_lean)
    trunk /= np.linalg.norm(trunk)
    s = scale
    out = np.empty((len(JOINTS), 3))
    p = np.asarray(pelvis, float)
    neck = p + trunk * TORSO * s
    out[J["neck"]] = neck
    out[J["head"]] = neck + trunk * (NECK + HEAD_R) * s
    for side, sgn in (("l", 1), ("r", -1)):
        lat = left * sgn
        sh = neck - trunk * 0.05 * s + lat * SHOULDER_HALF * s
        a = pose.arm_l if side == "l" else pose.arm_r
        ab = pose.abd_l if side == "l" else pose.abd_r
        d_up = math.sin(a) * fwd - math.cos(a) * trunk
        d_up = d_up * math.cos(ab) + lat * math.sin(ab)
        el = sh + UPPER_ARM * s * d_up
        b = a + pose.elbow
        d_fo = (math.sin(b) * fwd - math.cos(b) * trunk) * math.cos(ab) + lat * math.sin(ab)
        out[J[f"{side}_shoulder"]], out[J[f"{side}_elbow"]] = sh, el
        out[J[f"{side}_wrist"]] = el + FOREARM * s * d_fo
        hip = p + lat * HIP_HALF * s
        ha, kn, la = ((pose.hip_l, pose.knee_l, pose.leg_abd_l) if side == "l"
                      else (pose.hip_r, pose.knee_r, pose.leg_abd_r))
        knee, ankle, foot = _leg(hip, fwd, lat, up, ha, kn, la)
        out[J[f"{side}_hip"]] = hip
        out[J[f"{side}_knee"]] = hip + (knee - hip) * s
        out[J[f"{side}_ankle"]] = hip + (ankle - hip) * s
        out[J[f"{side}_foot"]] = hip + (foot - hip) * s
    return out


def grounded(joints: np.ndarray, keep_feet_free: str | None = None) -> np.ndarray:
    """Shift the skeleton vertically so the lowest ankle stands at ankle height."""
    ankles = [J["l_ankle"], J["r_ankle"]]
    if keep_feet_free:
        ankles = [J[f"{'r' if keep_feet_free == 'l' else 'l'}_ankle"]]
    dz = ANKLE_H - joints[ankles, 2].min()
    return joints + np.array([0.0, 0.0, dz])


def run_pose(phase: float, speed: float) -> Pose:
    """Running/jogging cycle; `speed` in m/s sets the stride amplitude."""
    amp = min(0.65, 0.12 + 0.12 * speed)
    s = math.sin(phase)
    sl = amp * s
    return Pose(hip_l=sl, hip_r=-sl,
                knee_l=0.25 + amp * 1.3 * max(0.0, -math.sin(phase - 0.6)) + 0.1,
                knee_r=0.25 + amp * 1.3 * max(0.0, math.sin(phase - 0.6)) + 0.1,
                arm_l=-sl * 0.9, arm_r=sl * 0.9, elbow=0.9 + 0.3 * amp, lean=0.08 + 0.05 * speed)


def _lerp(a: float, b: float, w: float) -> float:
    return a + (b - a) * w


def _smooth(w: float) -> float:
    w = min(1.0, max(0.0, w))
    return w * w * (3 - 2 * w)


def kick_pose(tau: float, foot: str) -> Pose:
    """Kick around contact at tau = 0 s: plant, backswing (-0.25 s), strike (0), follow-through."""
    keys = [(-0.45, 0.35, 0.6, -0.2, 0.3), (-0.22, -0.55, 1.7, 0.25, 0.3),
            (0.0, 0.5, 0.75, 0.0, 0.3), (0.18, 1.05, 0.35, 0.22, 0.3), (0.5, 0.2, 0.3, 0.05, 0.15)]
    tau = min(max(tau, keys[0][0]), keys[-1][0])
    for (t0, a0, k0, s0, ks0), (t1, a1, k1, s1, ks1) in zip(keys, keys[1:]):
        if tau <= t1:
            w = _smooth((tau - t0) / (t1 - t0))
            a, k, sup, ksup = _lerp(a0, a1, w), _lerp(k0, k1, w), _lerp(s0, s1, w), _lerp(ks0, ks1, w)
            break
    lean = -0.18 if -0.3 < tau < 0.25 else 0.0
    balance = 0.9 if -0.35 < tau < 0.35 else 0.3
    kick = dict(hip=a, knee=k)
    support = dict(hip=-sup, knee=ksup)
    legs = ({"hip_l": kick["hip"], "knee_l": kick["knee"], "hip_r": support["hip"], "knee_r": support["knee"]}
            if foot == "left" else
            {"hip_r": kick["hip"], "knee_r": kick["knee"], "hip_l": support["hip"], "knee_l": support["knee"]})
    # the arm opposite the kicking leg swings out for balance
    arms = ({"abd_r": balance, "arm_r": 0.3, "abd_l": 0.35, "arm_l": -0.2} if foot == "left" else
            {"abd_l": balance, "arm_l": 0.3, "abd_r": 0.35, "arm_r": -0.2})
    side = 0.12 if foot == "right" else -0.12  # lean away from the kicking leg
    return Pose(**legs, **arms, elbow=0.5, lean=lean, side_lean=side if -0.3 < tau < 0.3 else 0.0)


def blend(p: Pose, q: Pose, w: float) -> Pose:
    """Pose between p (w=0) and q (w=1), eased."""
    w = _smooth(w)
    return Pose(**{f.name: _lerp(getattr(p, f.name), getattr(q, f.name), w) for f in fields(Pose)})


def idle_pose(t: float, seed: float) -> Pose:
    """Standing with a little sway."""
    sway = 0.04 * math.sin(1.3 * t + seed)
    return Pose(hip_l=0.05 + sway, hip_r=-0.05 + sway, knee_l=0.12, knee_r=0.15,
                arm_l=0.1, arm_r=-0.05, abd_l=0.2, abd_r=0.2, elbow=0.5, lean=0.06,
                leg_abd_l=0.08, leg_abd_r=0.08)


def keeper_pose(progress: float, side: float) -> Pose:
    """Goalkeeper: ready stance (progress 0) to a full dive towards `side` (+1 = own left)."""
    w = _smooth(progress)
    reach = _lerp(0.3, 2.6, w)
    return Pose(hip_l=0.2, hip_r=0.2, knee_l=_lerp(0.6, 0.2, w), knee_r=_lerp(0.6, 0.2, w),
                arm_l=0.6 if side < 0 else 0.4, arm_r=0.6 if side > 0 else 0.4,
                abd_l=reach if side > 0 else 0.5, abd_r=reach if side < 0 else 0.5,
                elbow=0.2, lean=0.25, side_lean=side * _lerp(0.0, 1.2, w),
                leg_abd_l=0.25, leg_abd_r=0.25)


def random_look(rng: np.random.Generator, kit: tuple | None = None) -> Look:
    kits = [((30, 30, 200), (255, 255, 255)), ((200, 80, 20), (30, 30, 30)), ((240, 240, 240), (30, 30, 30)),
            ((20, 140, 20), (250, 250, 250)), ((20, 200, 240), (40, 40, 120)), ((60, 20, 20), (200, 200, 200)),
            ((120, 30, 150), (40, 40, 40)), ((0, 120, 255), (255, 255, 255))]
    shirt, shorts = kit or kits[rng.integers(len(kits))]
    skins = [(95, 125, 170), (140, 170, 215), (60, 85, 120), (45, 60, 85), (120, 150, 200)]
    hairs = [(20, 20, 25), (30, 50, 80), (60, 90, 140), (15, 15, 15), (140, 170, 190)]
    socks = [shorts, shirt, (240, 240, 240), (20, 20, 20)]
    shoes = [(20, 20, 20), (240, 240, 240), (0, 80, 230), (200, 200, 30)]
    jit = lambda c: tuple(int(np.clip(v + rng.integers(-15, 16), 0, 255)) for v in c)  # noqa: E731
    return Look(shirt=jit(shirt), shorts=jit(shorts), sock=jit(socks[rng.integers(len(socks))]),
                shoe=shoes[rng.integers(len(shoes))], skin=skins[rng.integers(len(skins))],
                hair=hairs[rng.integers(len(hairs))], scale=float(rng.uniform(0.92, 1.08)),
                sleeve_long=bool(rng.random() < 0.25))
