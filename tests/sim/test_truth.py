"""The truth agrees with physics and geometry (not just with itself)."""
from __future__ import annotations

import numpy as np
import pytest

from kicky.sim.goal import BALL_RADIUS, Goal
from kicky.io.rle import decode


def _overlaps(a, b) -> bool:
    ax, ay, aw, ah = a
    bx, by, bw, bh = b
    return ax < bx + bw + 2 and bx < ax + aw + 2 and ay < by + bh + 2 and by < ay + ah + 2


def _clean_ball_frames(truth, occluders=("player", "goal")):
    """Frames whose ball instance touches no possible occluder's box (nothing hides part of it)."""
    for fr in truth["frames"]:
        ball = [d for d in fr["instances"] if d["class"] == "ball"]
        others = [d for d in fr["instances"] if d["class"] in occluders]
        if ball and not any(_overlaps(ball[0]["bbox"], o["bbox"]) for o in others):
            yield fr, ball[0]


def _world(truth, fr, uvd):
    """Back-project a truth (u, v, depth) with the frame's camera."""
    K = np.array(truth["camera"]["K"])
    R, t = np.array(fr["camera_R"]), np.array(fr["camera_t"])
    u, v, d = uvd[:3]
    return R.T @ (d * np.linalg.inv(K) @ [u, v, 1.0] - t)


def test_ball_centre_projects_inside_its_mask(sim_clips):
    checked = 0
    for name, (_, truth) in sim_clips.items():
        for fr, ball in _clean_ball_frames(truth):
            m = decode(ball["rle"])
            u, v = fr["ball"]["uv"]
            assert m[int(v), int(u)], f"{name} frame {fr['index']}: centre {u, v} outside ball mask"
            checked += 1
    assert checked > 100


@pytest.fixture(scope="module")
def trap_540(tmp_path_factory):
    """A resting ball in front of the goal, at 960x540 (a few pixels wide, like real footage)."""
    import json

    from kicky.sim.clip import render_clip
    from tests.helpers import config_for, find_seed

    cfg = config_for("no_shot", width=960, height=540)
    out = tmp_path_factory.mktemp("trap540")
    s = render_clip(cfg, 7, find_seed(cfg, "trap"), out)
    return json.loads((out / s["clip_id"] / "truth.json").read_text())


def test_ball_pixel_width_matches_its_depth(trap_540):
    truth = trap_540
    K = np.array(truth["camera"]["K"])
    errors = []
    for fr, ball in _clean_ball_frames(truth, occluders=("player",)):  # it rests in front of the goal
        R, t = np.array(fr["camera_R"]), np.array(fr["camera_t"])
        depth = (R @ np.array(fr["ball"]["pos"]) + t)[2]
        expected = 2 * K[0, 0] * BALL_RADIUS / depth
        assert expected == pytest.approx(fr["ball"]["diam_px"], abs=0.01)
        w, h = ball["bbox"][2:]
        assert abs(w - expected) <= 1.0 and abs(h - expected) <= 1.0, (fr["index"], w, h, expected)
        errors.append(w - expected)
    assert len(errors) > 60 and abs(np.mean(errors)) < 0.5


def test_reported_speed_is_the_path_derivative(sim_clips):
    for name in ("goal", "saved", "post", "over", "wide"):
        truth = sim_clips[name][1]
        k, fps = truth["kick_frame"], truth["fps"]
        path = np.array(truth["ball_path"])
        assert np.linalg.norm(path[k - 1] - path[k]) < 1e-6, "ball moved before the kick"
        v_fd = np.linalg.norm(path[k + 1] - path[k]) * fps * 3.6
        # one frame of drag and gravity loses at most a few percent
        assert v_fd == pytest.approx(truth["speed_kmh"], rel=0.03), name
        assert 30 <= truth["speed_kmh"] <= 130


def test_goal_ends_in_the_net_and_other_outcomes_never_enter_it(sim_clips):
    for name, (_, truth) in sim_clips.items():
        g = truth["goal"]
        goal = Goal(g["width"], g["height"], g["depth"], g["back_height"], g["post_radius"])
        inside = [goal.inside(np.array(p)) for p in truth["ball_path"]]
        assert inside == [f["ball"]["in_goal"] for f in truth["frames"]]
        if name == "goal":
            assert inside[-1], "a goal must end with the ball at rest inside the goal"
            assert not any(inside[: truth["kick_frame"] + 1])
            assert np.linalg.norm(truth["frames"][-1]["ball"]["vel"]) < 0.5
        else:
            assert not any(inside), f"{name}: ball entered the goal volume"


def test_kicking_ankle_is_nearest_the_ball_at_the_kick(sim_clips):
    for name in ("goal", "saved", "post", "over", "wide"):
        truth = sim_clips[name][1]
        k, foot = truth["kick_frame"], truth["kicking_foot"][0]
        fr = truth["frames"][k]
        ball = np.array(truth["ball_path"][k])
        names = truth["joint_names"]
        nearest = None
        for pid, rows in fr["joints"].items():
            for jn, row in zip(names, rows):
                d = np.linalg.norm(_world(truth, fr, row) - ball)
                if nearest is None or d < nearest[0]:
                    nearest = (d, int(pid), jn)
        d, pid, jn = nearest
        assert pid == truth["shooter"] and jn in (f"{foot}_ankle", f"{foot}_foot"), (name, nearest)
        rows = dict(zip(names, fr["joints"][str(pid)]))
        other = "r" if foot == "l" else "l"
        d_kick = np.linalg.norm(_world(truth, fr, rows[f"{foot}_ankle"]) - ball)
        d_other = np.linalg.norm(_world(truth, fr, rows[f"{other}_ankle"]) - ball)
        assert d_kick < 0.3 and d_kick < d_other


def test_ball_never_sinks_into_the_ground(sim_clips):
    for _, truth in sim_clips.values():
        assert min(p[2] for p in truth["ball_path"]) >= BALL_RADIUS - 1e-3


def test_instances_cover_every_class_and_joints_are_in_frame(sim_clips):
    truth = sim_clips["goal"][1]
    classes = {d["class"] for f in truth["frames"] for d in f["instances"]}
    assert classes == {"ball", "player", "goal"}
    fr = truth["frames"][truth["kick_frame"]]
    for rows in fr["joints"].values():
        assert len(rows) == len(truth["joint_names"]) == 16
    u, v = np.array([r[:2] for r in fr["joints"][str(truth["shooter"])]]).T
    assert (0 <= u).all() and (u < truth["width"]).all() and (0 <= v).all() and (v < truth["height"]).all()


def test_non_shots_have_no_shooter_and_the_trap_starts_in_front_of_goal(sim_clips):
    for kind in ("pass", "dribble", "trap"):
        truth = sim_clips[kind][1]
        assert truth["outcome"] == "no_shot" and truth["kind"] == kind
        assert truth["kick_frame"] is None and truth["shooter"] is None and truth["speed_kmh"] is None
    x, y, _ = sim_clips["trap"][1]["ball_path"][0]
    g = sim_clips["trap"][1]["goal"]
    assert abs(x) < g["width"] / 2 and 0 < y < 3
    assert sim_clips["pass"][1]["touches"][0]["kind"] == "pass"
    assert len(sim_clips["dribble"][1]["touches"]) >= 3
