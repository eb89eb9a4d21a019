"""The whole analysis on simulator truth: goal decision on every outcome, speed, degraded input,
and clips with no ball / player / goal."""
from __future__ import annotations

import numpy as np
import pytest

from kicky.analysis import ShotReport, analyse, score_report, summarise
from kicky.analysis.degrade import degrade
from kicky.analysis.speed import plain_kmh
from kicky.errors import KickyError


def test_goal_decision_right_on_every_fixture_clip(oracle_clips, sim_clips):
    for name, (clip, dets) in oracle_clips.items():
        rep = analyse(dets, clip.fps, None)
        truth = sim_clips[name][1]
        assert rep.goal == truth["is_goal"], (name, rep.goal_reason)
        assert 0 <= rep.goal_confidence <= 1
        if truth["kind"] == "shot":
            assert rep.shot_found and rep.shooter is not None, name
            assert abs(rep.kick_frame - truth["kick_frame"]) <= 2, name  # 1-2 px balls at 320x180
    assert analyse(oracle_clips["goal"][1], 30, None).goal_reason == "rest_in_net"


def test_speed_near_truth(oracle_clips, sim_clips):
    errs = []
    for name in ("goal", "saved", "post", "over", "wide"):
        clip, dets = oracle_clips[name]
        rep = analyse(dets, clip.fps, None)
        errs.append(score_report(rep, sim_clips[name][1])["speed_error"])
    assert np.median(errs) < 0.3, errs


def test_plain_formula_and_cap():
    # 20 px/frame at 30 fps, ball 10 px = 0.022 m/px: 0.44 m/frame = 13.2 m/s = 47.52 km/h
    assert plain_kmh(20, 30, 10) == pytest.approx(47.52)
    assert plain_kmh(2000, 30, 10, cap_kmh=140) == 140


def test_degraded_input_mostly_right(oracle_clips, sim_clips):
    rng = np.random.default_rng(0)
    ok = [analyse(degrade(dets, rng, drop=0.2, jitter_px=1, false_balls=1), clip.fps, None).goal
          == sim_clips[name][1]["is_goal"] for name, (clip, dets) in oracle_clips.items()]
    assert sum(ok) >= len(ok) - 2, ok


@pytest.mark.parametrize("drop, reason", [("ball", "no ball"), ("player", "no player"), ("goal", "no goal")])
def test_missing_class_gives_a_report_that_says_so(oracle_clips, drop, reason):
    clip, dets = oracle_clips["goal"]
    rep = analyse([[d for d in f if d.cls != drop] for f in dets], clip.fps, lambda t: clip.frames[t])
    assert not rep.shot_found and reason in rep.message
    if drop != "player":  # the ball alone still says whether it went in
        assert not rep.goal
    ShotReport.from_json(rep.to_json())


def test_empty_clips_never_raise():
    for dets in ([], [[] for _ in range(30)]):
        rep = analyse(dets, 30.0, None)
        assert not rep.shot_found and rep.message and not rep.goal


def test_report_json_round_trip_and_scores(oracle_clips, sim_clips):
    import json
    clip, dets = oracle_clips["goal"]
    rep = analyse(dets, clip.fps, None)
    back = ShotReport.from_json(json.loads(json.dumps(rep.to_json())))
    assert back == rep
    assert len(rep.ball) == len(dets) and {"x", "y", "width", "vx", "vy", "interpolated"} <= set(rep.ball[0])
    assert rep.possession_timeline and rep.possession_timeline[-1]["player"] == rep.shooter
    assert "pose skipped" in rep.pose_message
    rows = [score_report(analyse(d, c.fps, None), sim_clips[n][1]) for n, (c, d) in oracle_clips.items()]
    s = summarise(rows)
    assert s["n"] == 8 and s["n_shots"] == 5 and s["goal_acc"] == 1.0
    assert all(r["foot_correct"] is None and r["speed_error"] is None for r in rows if r["kind"] != "shot")


def test_unknown_setting_is_one_clear_error():
    with pytest.raises(KickyError, match="unknown key 'hampel'"):
        analyse([], 30, None, {"ball": {"hampel": 3}})
    with pytest.raises(KickyError, match="players.near_heights must be a number"):
        analyse([], 30, None, {"players": {"near_heights": "abc"}})
