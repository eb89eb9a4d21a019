"""The goal when the detector loses the ball in the net: on simulated clips whose ball is removed in
every frame where it touches the goal (kicky.analysis.degrade drop_goal, the miss a ball detector
makes behind the mesh), the goal is still called, from the ball's last sightings inside the goal's
box and its absence afterwards; saves, posts and misses are still no goal; with the rule off the goal
is lost (what every detector showed). ball_states and flight_into on hand-made inputs."""
import numpy as np
import pytest

from kicky.analysis import balltrack, goal
from kicky.analysis.analyse import shot_kick
from kicky.analysis.clock import Clock
from kicky.analysis.config import settings
from kicky.analysis.degrade import ball_states, degrade
from kicky.core.instances import Instance


def decide(dets, over=None):
    c = settings(over or {})
    track = balltrack.track_ball(dets, c["ball"], Clock.of(len(dets), 30.0))
    kick = shot_kick(track, balltrack.kicks(track, c["ball"]), c["ball"])
    return goal.decide(track, dets, kick, c["goal"])


def lost_in_goal(dets):
    return degrade(dets, np.random.default_rng(0), classes=("ball",), drop_goal=1.0)


def test_a_goal_whose_ball_is_lost_in_the_net_is_still_a_goal(oracle_clips):
    _, dets = oracle_clips["goal"]
    assert decide(dets).goal
    lost = lost_in_goal(dets)
    assert sum(i.cls == "ball" for f in lost for i in f) < sum(i.cls == "ball" for f in dets for i in f)
    call = decide(lost)
    assert call.goal and call.reason in ("vanished_in_goal", "rest_in_net")
    off = decide(lost, {"goal": {"vanish": {"enabled": False}}})
    assert not off.goal


@pytest.mark.parametrize("name", ["saved", "post", "over", "wide"])
def test_misses_stay_misses_when_the_ball_is_lost_at_the_goal(oracle_clips, name):
    _, dets = oracle_clips[name]
    assert not decide(lost_in_goal(dets)).goal


def _ball(x, y, r=3, shape=(100, 200)):
    yy, xx = np.ogrid[:shape[0], :shape[1]]
    return Instance("ball", (xx - x) ** 2 + (yy - y) ** 2 <= r * r, 0.9, "t", (x - r, y - r, x + r + 1, y + r + 1))


def _goal(shape=(100, 200)):
    m = np.zeros(shape, bool)
    m[20:60, 120:180] = True
    return Instance("goal", m, 1.0, "t", (120, 20, 180, 60))


def test_ball_states_marks_still_and_in_goal_frames():
    frames = [[_ball(30, 50), _goal()], [_ball(30, 50), _goal()], [_ball(60, 50), _goal()],
              [_ball(130, 40), _goal()], []]
    still, in_goal = ball_states(frames)
    assert still.tolist() == [True, False, False, False, False]
    assert in_goal.tolist() == [False, False, False, True, False]


def test_flight_into_follows_the_fitted_arc_into_the_goal_mask():
    T = 20
    xy = np.full((T, 2), np.nan)
    for t in range(5, 10):
        xy[t] = (40 + 12 * t, 80 - 3 * t)       # heading right and up, towards the goal box
    seen_ = ~np.isnan(xy[:, 0])
    track = balltrack.BallTrack(xy=xy, width=np.full(T, 6.0), detected=seen_, interpolated=np.zeros(T, bool),
                                balls=[None] * T, boxes=[None] * T)
    v = {"fit_frames": 5, "horizon": 8}
    seen = list(range(5, 10))
    hit = goal.flight_into(track, _goal(), seen, v)
    assert hit is not None and 10 <= hit <= 17
    xy[5:10, 0] = 100 - 12 * np.arange(5, 10)  # heading away
    assert goal.flight_into(track, _goal(), seen, v) is None
