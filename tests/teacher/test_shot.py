"""The shot model's pure pieces against known geometry: fixtures, ballistic fill, the rest corridor,
and chains of overlapping tracklet pieces."""
import numpy as np
import pytest

from kicky.teacher.tracklets import Tracklet, best_chain
from kicky.teacher.shot import ShotParams, corridor, fill, fixture_cells, heading


def test_a_spot_lit_all_clip_long_is_a_fixture_and_a_passing_ball_is_not():
    T = 40
    pts = [np.array([[100.0, 100.0], [10.0 + 12 * t, 300.0]]) for t in range(T)]
    fixed = fixture_cells(pts, 10.0, 0.12)
    assert (10, 10) in fixed
    assert not any(c[1] == 30 for c in fixed)   # the ball's row of cells


def test_fill_takes_the_spots_on_the_ballistic_path_and_leaves_the_decoy():
    T = 30
    path = lambda t: np.array([50.0 + 20 * t, 400.0 - 15 * t + 0.4 * t * t])  # noqa: E731
    strong = [np.zeros((0, 2)) for _ in range(T)]
    for t in (5, 6, 7, 8, 12, 13, 14):
        strong[t] = path(t)[None]
    weak = [np.array([path(t) + 0.7, path(t) + [60.0, -40.0]]) for t in range(T)]
    got = fill({t: 0 for t in (5, 6, 7, 8, 12, 13, 14)}, strong, weak, ShotParams(gate=20.0, fill_gap=4), T)
    assert {9, 10, 11} <= set(got) and all(got[t] == ("weak", 0) for t in (9, 10, 11))
    assert got[4] == ("weak", 0) and got[18] == ("weak", 0)   # extended at both ends ...
    assert 0 not in got and 25 not in got                     # ... by at most fill_gap frames
    assert all(kind == "strong" or j == 0 for kind, j in got.values())   # never the decoy


def test_the_rest_spot_corridor_runs_back_along_the_flight():
    ts = np.arange(10, 16)
    xy = np.array([[500.0 + 30 * i, 600.0 - 20 * i] for i in range(6)])
    back = heading(ts, xy, "first")
    assert np.allclose(back, -np.array([30, -20]) / np.hypot(30, 20))
    cands = np.array([[440.0, 640.0], [560.0, 560.0], [455.0, 700.0], [380.0, 680.0]])
    order = corridor(xy[0], back, cands, length=200.0, width=15.0)
    assert list(order) == [0, 3]   # on the backward ray, nearest first; ahead and off-line excluded


def test_pieces_of_one_track_that_share_frames_chain_together():
    a = Tracklet(list(range(0, 10)), [0] * 10, [np.array([10.0 * t, 0.0]) for t in range(0, 10)])
    b = Tracklet(list(range(8, 20)), [0] * 12, [np.array([10.0 * t, 0.0]) for t in range(8, 20)])
    chain = best_chain([a, b], gate_px=5.0, min_len=3, min_span=10.0)
    assert chain == [a, b]


def _fast_shot(T=12, v=40.0, seed=0):
    """A ball crossing at `v` px/frame among clutter that moves about at random."""
    rng = np.random.default_rng(seed)
    truth = [np.array([100.0 + v * t, 300.0 + 2.0 * t]) for t in range(T)]
    pts = [np.vstack([truth[t], rng.uniform(0, 1000, (6, 2))]) for t in range(T)]
    return truth, pts


def test_a_fast_ball_links_only_when_its_blur_streak_gives_the_reach():
    from kicky.teacher.tracklets import link
    truth, pts = _fast_shot()
    def longest_on_truth(tracks):
        return max(sum(np.linalg.norm(q - truth[t]) < 1 for t, q in zip(tr.frames, tr.pts)) for tr in tracks)
    assert longest_on_truth(link(pts, gate_px=20.0)) == 1          # 40 px/frame: every sighting starts anew
    reach = [np.r_[60.0, np.zeros(6)] for _ in pts]                 # the ball's streak; the clutter is round
    assert longest_on_truth(link(pts, gate_px=20.0, reach=reach)) == len(truth)


def test_a_chain_bridges_the_frames_a_shot_is_lost_against_the_net():
    a = Tracklet(list(range(0, 10)), [0] * 10, [np.array([10.0 * t, 0.0]) for t in range(10)])
    b = Tracklet(list(range(24, 34)), [0] * 10, [np.array([10.0 * t, 0.0]) for t in range(24, 34)])
    assert len(best_chain([a, b], gate_px=10.0, max_gap=12)) == 1   # 14 unseen frames: two pieces
    assert len(best_chain([a, b], gate_px=10.0, max_gap=16)) == 2


def test_a_ball_at_rest_lies_at_a_players_feet_not_at_his_head():
    from kicky.teacher.shot import at_feet
    box = (100, 200, 140, 300)                                   # a player 100 px tall
    assert at_feet(np.array([150.0, 295.0]), box)                # beside his foot, on the ground
    assert at_feet(np.array([120.0, 310.0]), box)                # just in front (lower in the image)
    assert not at_feet(np.array([120.0, 215.0]), box)            # his head
    assert not at_feet(np.array([250.0, 295.0]), box)            # on the ground, but 1.1 heights away


def test_the_flight_must_leave_the_kick_spot():
    """A shot leaves the rest spot at frame 20; a longer, smoother track elsewhere (a player's
    shirt crossing the frame) wins the free chain search but cannot begin a chain from the kick."""
    from kicky.teacher.shot import choose_chain
    T, spot = 60, np.array([400.0, 500.0])
    shot = {t: spot + [25.0 * (t - 20), -18.0 * (t - 20) + 0.3 * (t - 20) ** 2] for t in range(21, 36)}
    shirt = {t: np.array([100.0 + 6.0 * t, 200.0]) for t in range(0, 60)}
    pts = [np.array([q for q in (shot.get(t), shirt.get(t)) if q is not None]).reshape(-1, 2) for t in range(T)]
    boxes = [[] for _ in range(T)]
    p = ShotParams(gate=20.0)
    reach = [np.full(len(x), 60.0) for x in pts]
    free = choose_chain(pts, boxes, p, reach)
    assert all(np.linalg.norm(q - shirt[t]) < 1 for tr in free for t, q in zip(tr.frames, tr.pts))
    kicked = choose_chain(pts, boxes, p, reach, origin=(20, 20, spot, 50.0))
    got = {t: q for tr in kicked for t, q in zip(tr.frames, tr.pts)}
    assert set(got) == set(shot) and all(np.linalg.norm(got[t] - shot[t]) < 1 for t in got)
    assert choose_chain(pts, boxes, p, reach, origin=(45, 45, spot, 50.0)) == []   # nothing leaves it then


def test_a_flight_cannot_start_far_from_the_spot_before_the_kick():
    """The spot may look held past the kick, so a flight may start up to a few frames before its last
    sighting: but then within one frame's reach of it. A longer track starting 4 frames before the
    kick 100 px away (a player's knee) is no flight; measured from the window's first frame, 4 frames'
    reach would have admitted it."""
    from kicky.teacher.shot import choose_chain
    T, spot = 60, np.array([400.0, 500.0])
    shot = {t: spot + [25.0 * (t - 20), -18.0 * (t - 20) + 0.3 * (t - 20) ** 2] for t in range(21, 36)}
    knee = {t: spot + [80.0 + 4.0 * (t - 16), -60.0] for t in range(16, 42)}
    pts = [np.array([q for q in (shot.get(t), knee.get(t)) if q is not None]).reshape(-1, 2) for t in range(T)]
    p, boxes = ShotParams(gate=20.0), [[] for _ in range(T)]
    reach = [np.full(len(x), 60.0) for x in pts]
    got = {t: q for tr in choose_chain(pts, boxes, p, reach, origin=(12, 20, spot, 50.0))
           for t, q in zip(tr.frames, tr.pts)}
    assert set(got) == set(shot)
    late = {t for tr in choose_chain(pts, boxes, p, reach, origin=(12, 14, spot, 50.0)) for t in tr.frames}
    assert late == set(knee)   # with the kick at 14 the knee (2 frames later) is within reach, and longer


def test_the_launch_path_follows_the_flight_through_clutter_and_a_bounce():
    """A ball leaves its spot at frame 10 at 20 px a frame, bounces back off a post at frame 25 and
    flies on (frame 17 unseen); each frame also holds two clutter spots (one flickering in place, one drifting slowly
    from the spot). The path is the flight, bounce included, and starts at the kick."""
    from kicky.teacher.shot import launch_path
    rng = np.random.default_rng(0)
    at, T = np.array([500.0, 400.0]), 45
    truth = {}
    for t in range(10, T):
        truth[t] = at + (np.array([20.0, -6.0]) * (t - 9) if t < 25
                         else np.array([20.0, -6.0]) * 15 + np.array([-12.0, 3.0]) * (t - 24))
    pts = []
    for t in range(T):
        clutter = [np.array([900.0, 300.0]) + rng.normal(0, 1, 2), at + np.array([1.0, 0.5]) * t]
        pts.append(np.array(([truth[t] + rng.normal(0, 1.5, 2)] if t in truth and t != 17 else []) + clutter))
    ok = [np.ones(len(p), bool) for p in pts]
    path = launch_path(pts, ok, [[] for _ in range(T)], at, first=2, kick=10, last_start=26, v_max=54, gate=21.6)
    on = {t for t, j in path.items() if t in truth and np.linalg.norm(pts[t][j] - truth[t]) < 6}
    assert len(on) >= 0.9 * (len(truth) - 1) and len(path) - len(on) <= 1   # at most the launch frame off
    assert min(path) >= 9 and max(path) >= T - 3


def test_the_path_launch_is_a_checked_setting():
    from kicky.errors import KickyError
    from kicky.teacher.motion import MotionBackend
    with pytest.raises(KickyError, match="launch"):
        MotionBackend(person_model="none", launch="viterbi")
