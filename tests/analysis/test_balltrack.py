"""Ball track: Hampel drops teleports, gaps fill, kicks are found where the simulator kicked."""
from __future__ import annotations

import numpy as np

from kicky.analysis import balltrack
from kicky.analysis.config import settings
from kicky.analysis.degrade import _disc
from kicky.core.instances import Instance

CFG = settings()["ball"]


def test_hampel_flags_only_the_teleport():
    x = np.r_[np.full(10, 50.0), 50.0 + 12 * np.arange(1, 11)]  # still, then kicked
    x[14] = 400.0
    x[3] = np.nan
    flags = balltrack.hampel(x, CFG["hampel_window"], CFG["hampel_k"], CFG["hampel_min_px"])
    assert np.flatnonzero(flags).tolist() == [14]


def test_fill_gaps_only_short_ones():
    xy = np.c_[np.arange(20.0), np.zeros(20)]
    xy[3:5] = np.nan           # 2 missing: filled
    xy[10:19] = np.nan         # 9 missing: left
    out = balltrack.fill_gaps(xy, 6)
    assert np.allclose(out[3:5, 0], [3, 4]) and np.isnan(out[10:19]).all()


def test_teleport_and_false_ball_removed_on_truth(oracle_clips, sim_clips):
    clip, dets = oracle_clips["goal"]
    truth = sim_clips["goal"][1]
    H, W = clip.frames.shape[1:3]
    t = truth["kick_frame"] + 4
    dets = [list(f) for f in dets]
    dets[t] = [d for d in dets[t] if d.cls != "ball"] + [Instance("ball", _disc((H, W), 20, 20, 1.5), 1.0, "teleport")]
    for s in range(0, len(dets), 3):  # a still false ball every third frame
        dets[s].append(Instance("ball", _disc((H, W), W - 10, H - 10, 1.5), 0.9, "false"))
    track = balltrack.track_ball(dets, CFG)
    uv = np.array(truth["frames"][t]["ball"]["uv"])
    assert track.interpolated[t] and np.linalg.norm(track.xy[t] - uv) < 4
    on = [s for s in range(0, len(dets), 3) if truth["frames"][s]["ball"]["visible"]]
    far = [np.linalg.norm(track.xy[s] - truth["frames"][s]["ball"]["uv"]) for s in on]
    assert np.median(far) < 2


def test_kick_spike_at_the_true_kick(oracle_clips, sim_clips):
    from kicky.analysis.analyse import shot_kick
    for name in ("goal", "saved", "post", "over", "wide"):
        track = balltrack.track_ball(oracle_clips[name][1], CFG)
        kick = shot_kick(track, balltrack.kicks(track, CFG), CFG)
        assert kick is not None and abs(kick - sim_clips[name][1]["kick_frame"]) <= 2, name


def test_still_ball_has_no_kick(oracle_clips):
    track = balltrack.track_ball(oracle_clips["trap"][1], CFG)
    assert balltrack.kicks(track, CFG) == []


def _still_then_kicked(T=60, kick=40, v=12.0):
    """A still ball at (300, 200), 10 px wide, kicked at `kick` to the right at v px/frame."""
    from kicky.analysis.balltrack import BallTrack
    xy = np.tile([300.0, 200.0], (T, 1))
    xy[kick + 1:, 0] += v * np.arange(1, T - kick)
    width = np.full(T, 10.0)
    return BallTrack(xy, width, np.ones(T, bool), np.zeros(T, bool), [None] * T, [None] * T)


def test_a_ball_half_hidden_by_a_leg_is_no_kick():
    """A leg covers most of the ball for two frames: its visible sliver's centre moves 11 px, then
    comes back. Only the real kick is a kick."""
    track = _still_then_kicked()
    track.xy[22:24, 0] += [6.0, 11.0]
    track.width[22:24] = [4.0, 2.0]
    assert balltrack.kicks(track, CFG) == [40]


def test_no_kick_in_the_first_frames_and_one_after_a_hidden_ball():
    track = _still_then_kicked()
    track.xy[1, 0] += 15.0                  # a handheld camera's jolt in the first frames
    track.xy[32:40] = np.nan                # hidden behind the kicker until he kicks
    assert balltrack.kicks(track, CFG) == [40]
