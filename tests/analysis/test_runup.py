"""The run-up rule on hand-made tracks: a right-footed kicker approaches from the left of the shot
line (seen from behind the ball), a left-footed one from the right; the answer must not depend on
whether the camera films from behind or in front of the kicker."""
from __future__ import annotations

import numpy as np
import pytest

from kicky.analysis import runup


def _track(run_dir, n=10, start=(0.0, 0.0)):
    """Ground points (image px, y down) moving along run_dir, oldest first, and their frame numbers."""
    t = np.arange(n, dtype=float)
    return t, np.asarray(start) + t[:, None] * np.asarray(run_dir, float)


# (camera, run-up direction in the image, shot direction in the image, foot)
CASES = [
    # behind the kicker: the shot goes up the image; a right-footer runs up-and-right onto it
    ("behind", (1.0, -2.0), (0.0, -1.0), "right"),
    ("behind", (-1.0, -2.0), (0.0, -1.0), "left"),
    # in front: the shot comes down the image; the kicker's left is the image right
    ("front", (-1.0, 2.0), (0.0, 1.0), "right"),
    ("front", (1.0, 2.0), (0.0, 1.0), "left"),
    # beside (the kicker's right towards the camera): shot to the image right; a right-footer comes
    # from his left, the far side, i.e. runs down the image (towards the camera) while going right
    ("beside", (3.0, 1.0), (1.0, 0.0), "right"),
    ("beside", (3.0, -1.0), (1.0, 0.0), "left"),
]


@pytest.mark.parametrize("camera,run,shot,foot", CASES)
def test_runup_side(camera, run, shot, foot):
    t, x = _track(run)
    v = runup.velocity(t, x + np.random.default_rng(0).normal(0, 0.05, x.shape))
    s = runup.side(v, np.asarray(shot))
    assert runup.foot(s) == foot, (camera, s)
    assert 0.2 < abs(s) <= 1.0


def test_runup_side_from_behind_and_front_agree_for_the_same_kick():
    """One right-footed kick on the ground (x right, y away from a camera behind): filmed from behind
    the image is (x, -y); filmed from in front it is (-x, y). Both say right."""
    run_w, shot_w = np.array([np.sin(np.radians(25)), np.cos(np.radians(25))]), np.array([0.0, 1.0])
    behind = lambda v: np.array([v[0], -v[1]])  # noqa: E731
    front = lambda v: np.array([-v[0], v[1]])  # noqa: E731
    assert runup.side(behind(run_w), behind(shot_w)) > 0
    assert runup.side(front(run_w), front(shot_w)) > 0
    assert runup.side(behind([-run_w[0], run_w[1]]), behind(shot_w)) < 0
    # top-down (lateral, depth): behind = the ground frame itself, in front = rotated 180 deg
    assert runup.side_topdown(run_w, shot_w) > 0
    assert runup.side_topdown(-run_w, -shot_w) > 0


def test_no_motion_no_answer():
    assert runup.foot(runup.side(np.zeros(2), np.array([0.0, 1.0]))) is None
    assert runup.velocity(np.arange(2.0), np.zeros((2, 2))) is None


def _kick_scene(T=60, kick=50, f=1000.0, W=1920, H=1080):
    """A right-footed kicker filmed from behind: he runs up from the left of the shot line (camera
    frame: x right, z away; from x=-1.5, z=12 to x=0, z=14 over kick-40 .. kick-8; no box after).
    The ball then flies straight away, but its widths GROW (a leg in front, a blurred mask): the
    width-only flight says it comes towards the camera."""
    from kicky.analysis.balltrack import BallTrack
    from kicky.core.instances import Instance
    people = [{} for _ in range(T)]
    for t in range(kick - 40, kick - 7):
        a = (t - (kick - 40)) / 32
        X, Z = -1.5 + 1.5 * a, 12.0 + 2.0 * a
        u, h, yb = W / 2 + f * X / Z, f * 1.8 / Z, H / 2 + f * 1.5 / Z
        people[t]["P1"] = Instance("player", np.zeros((1, 1), bool), 1.0, "test", (u - h / 5, yb - h, u + h / 5, yb))
    xy = np.full((T, 2), np.nan)
    width = np.full(T, np.nan)
    for t in range(kick + 1, T):
        xy[t] = (W / 2, H / 2 + 50 - 3 * (t - kick))
        width[t] = 10.0 + 0.5 * (t - kick)
    track = BallTrack(xy, width, np.isfinite(width), np.zeros(T, bool), [None] * T, [None] * T)
    return people, track, kick, (W, H), f


def test_runup_score_takes_the_flight_from_the_3d_fit_when_given():
    people, track, kick, wh, f = _kick_scene()
    cfg = {"run_frames": [40, 8], "follow_frames": 10, "ball_frames": [2, 8]}
    away = runup.runup_score(people, "P1", track, kick, wh, cfg, f, flight=np.array([0.0, -0.3, 1.0]))
    assert runup.foot(away) == "right" and away > 0.3
    widths_only = runup.runup_score(people, "P1", track, kick, wh, cfg, f)
    assert runup.foot(widths_only) == "left"       # the growing widths mislead the fallback
    mirrored = runup.runup_score(people, "P1", track, kick, wh, cfg, f, flight=np.array([0.0, -0.3, -1.0]))
    assert mirrored == pytest.approx(-away)


def test_boxes_cut_by_the_frame_edge_are_left_out():
    """A kicker so near the camera that his feet are below the frame: box bottoms and heights are
    the frame's, so the run-up gives no answer rather than a wrong one."""
    from kicky.core.instances import Instance
    people, track, kick, wh, f = _kick_scene()
    cfg = {"run_frames": [40, 8], "follow_frames": 10, "ball_frames": [2, 8]}
    flight = np.array([0.0, -0.3, 1.0])
    assert runup.runup_score(people, "P1", track, kick, wh, cfg, f, flight=flight) is not None
    for row in people:
        for k, d in row.items():
            x0, y0, x1, _ = d.box
            row[k] = Instance("player", d.mask, 1.0, "test", (x0, y0, x1, float(wh[1])))
    assert runup.runup_score(people, "P1", track, kick, wh, cfg, f, flight=flight) is None
