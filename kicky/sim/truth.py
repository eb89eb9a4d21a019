"""Ground truth of a rendered clip: per-frame instance masks (COCO RLE), 2D joints, ball state;
per-clip outcome, kick, shooter, foot, speed, 3D path and camera. Written as truth.json."""
from __future__ import annotations

import numpy as np

from kicky.core.domain import CLASSES  # noqa: F401  (re-exported)
from kicky.io.rle import encode
from kicky.sim.goal import BALL_RADIUS
from kicky.sim.people import JOINTS
from kicky.sim.render import BALL_ID, Frame
from kicky.sim.scenario import Scenario

TRUTH_VERSION = 1


def _instance(cls: str, track: int, mask: np.ndarray) -> dict | None:
    ys, xs = np.nonzero(mask)
    if len(xs) == 0:
        return None
    x0, y0 = int(xs.min()), int(ys.min())
    return {"class": cls, "track_id": track, "bbox": [x0, y0, int(xs.max()) + 1 - x0, int(ys.max()) + 1 - y0],
            "area": int(len(xs)), "rle": encode(mask)}


def frame_truth(scn: Scenario, i: int, fr: Frame) -> dict:
    cam = scn.camera_at(i)
    t = i / scn.fps
    inst = []
    ball_mask = fr.ids == BALL_ID
    b = _instance("ball", 0, ball_mask)
    if b:
        inst.append(b)
    for p in scn.players:
        m = _instance("player", p.id, fr.ids == 10 + p.id)
        if m:
            inst.append(m)
    g = _instance("goal", 0, fr.goal_mask)
    if g:
        inst.append(g)
    joints = {}
    H, W = fr.ids.shape
    for p in scn.players:
        uv, z = cam.project(p.joints[i])
        rows = []
        for (u, v), d in zip(uv, z):
            inside = d > 0 and 0 <= u < W and 0 <= v < H
            vis = False
            if inside:
                y, x = int(v), int(u)
                vis = bool((fr.ids[max(y - 1, 0):y + 2, max(x - 1, 0):x + 2] == 10 + p.id).any())
            rows.append([round(float(u), 1), round(float(v), 1), round(float(d), 2), int(vis)])
        joints[str(p.id)] = rows
    pos, vel = scn.ball.state(np.array([t]))
    (u, v), z = cam.project(pos[0])
    ball = {"pos": [round(float(c), 4) for c in pos[0]], "vel": [round(float(c), 4) for c in vel[0]],
            "uv": [round(float(u), 2), round(float(v), 2)], "depth": round(float(z), 4),
            "diam_px": round(float(2 * cam.focal * BALL_RADIUS / z), 3) if z > 0 else 0.0,
            "visible": bool(b is not None), "in_goal": scn.goal.inside(pos[0])}
    return {"index": i, "time": round(t, 5), "instances": inst, "joints": joints, "ball": ball,
            "camera_R": np.round(cam.R, 7).tolist(), "camera_t": np.round(cam.t, 6).tolist()}


def clip_truth(scn: Scenario, frames: list[dict], clip_id: str, seed: list[int]) -> dict:
    cam = scn.camera
    t = scn.times
    path = scn.ball.state(t)[0]
    return {
        "version": TRUTH_VERSION, "clip_id": clip_id, "seed": seed,
        "fps": scn.fps, "width": cam.width, "height": cam.height, "n_frames": scn.n_frames,
        "classes": list(CLASSES), "joint_names": list(JOINTS),
        "kind": scn.kind, "outcome": scn.outcome, "is_goal": scn.outcome == "goal",
        "kick_frame": scn.kick_frame, "shooter": scn.shooter, "kicking_foot": scn.foot,
        "speed_kmh": None if scn.speed_kmh is None else round(scn.speed_kmh, 3),
        "touches": scn.touches, "events": scn.events,
        "players": [p.to_json() for p in scn.players],
        "goal": {**scn.goal.to_json(), "frame": "world: x along the goal line, y into the pitch, z up; "
                                                "origin at the middle of the goal line; metres"},
        "camera": {"K": np.round(cam.K, 5).tolist(), "R": np.round(cam.R, 7).tolist(),
                   "t": np.round(cam.t, 6).tolist(), "center": np.round(cam.center, 4).tolist(),
                   "handheld": scn.handheld, "note": "per-frame R, t (with shake) are in frames[i]"},
        "ball_path": np.round(path, 4).tolist(),
        "scene": scn.scene,
        "frames": frames,
    }
