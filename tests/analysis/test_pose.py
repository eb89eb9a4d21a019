"""Pose on a 640x360 shot: MediaPipe finds the kicker, the kicking foot matches truth, angles carry
their good ranges; the foot rule itself on the simulator's own joints."""
from __future__ import annotations

import numpy as np

from kicky.analysis import analyse, pose
from kicky.sim.people import J
from kicky.analysis.posecheck import MP_TO_JOINT


def test_pose_and_foot_on_a_shot(shot_640):
    clip, dets = shot_640
    rep = analyse(dets, clip.fps, lambda t: clip.frames[t])
    assert rep.shot_found and rep.goal
    assert rep.pose_captured and abs(rep.pose_frame - clip.truth["kick_frame"]) <= 2
    assert rep.kicking_foot in ("left", "right")
    assert set(rep.angles) == {"knee", "trunk", "hip"}
    for a in rep.angles.values():
        assert 0 <= a["value"] <= 180 and a["ok"] == (a["good"][0] <= a["value"] <= a["good"][1])


def test_foot_rule_on_true_joints(sim_clips):
    """Simulator joints as landmarks and the true ball direction: the rule names the true foot."""
    ok = []
    for name in ("goal", "saved", "post", "over", "wide"):
        truth = sim_clips[name][1]
        k = truth["kick_frame"]
        fr = truth["frames"][k]
        jt = np.array(fr["joints"][str(truth["shooter"])])[:, :2]
        lm = np.zeros((33, 2))
        for i, n in MP_TO_JOINT.items():
            lm[i] = jt[J[n]]
        v = np.array(fr["camera_R"]) @ np.array(truth["frames"][k + 1]["ball"]["vel"])
        W, H = truth["width"], truth["height"]
        f = np.array(truth["camera"]["K"])[0, 0]
        ball = np.array(fr["ball"]["uv"])
        ok.append(pose.kicking_foot(lm, ball, pose.right_axis(lm, v, ball, (W, H), f)) == truth["kicking_foot"])
    assert sum(ok) >= 3, ok  # 93 % over 147 shots of benchmarks/analysis.md


def test_foot_rule_mirrors_with_facing():
    """A kicker facing away (ball flies away, +z): the hip of the ankle at the ball on the image right
    is the right hip; facing the camera the same picture means the left foot."""
    lm = np.zeros((33, 2))
    lm[[11, 12]] = [[95, 40], [105, 40]]      # shoulders
    lm[[23, 24]] = [[96, 70], [104, 70]]      # hips: index 24 on the image right
    lm[[25, 26]] = [[96, 85], [106, 85]]
    lm[[27, 28]] = [[94, 100], [110, 98]]     # ankle 28 (same side as hip 24) at the ball
    ball = np.array([112.0, 99.0])
    away = pose.right_axis(lm, np.array([0.0, -0.1, 1.0]), ball, (200, 200), 150.0)
    toward = pose.right_axis(lm, np.array([0.0, -0.1, -1.0]), ball, (200, 200), 150.0)
    assert pose.kicking_foot(lm, ball, away) == "right"
    assert pose.kicking_foot(lm, ball, toward) == "left"


def test_vote():
    assert pose.vote({9: "left", 10: "right", 11: "right"}, 10, (-2, 1)) == "right"
    assert pose.vote({9: "left", 10: "right"}, 10, (-2, 1)) == "right"
    assert pose.vote({}, 10, (-2, 1)) is None
