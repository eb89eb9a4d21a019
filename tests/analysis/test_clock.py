"""Issue 17, item 2: frame times come from the stream's timestamps, so the same scene measures the
same shot speed at 30, 60 and 25 fps and as a variable-frame-rate file (frames dropped, the others
keeping their times). Oracle (simulator truth) detections: no model involved."""
from __future__ import annotations

import numpy as np
import pytest

from kicky.analysis import analyse
from kicky.analysis.clock import Clock
from kicky.core.clips import load_clip
from kicky.core.truth import truth_instances
from kicky.io.video import frame_times
from tests.reliability import corpus as C

SIZE = dict(width=640, height=360)
INDEX = 1                                   # seed 3, clip 1: a 105 km/h goal from 8-10 m
NO_POSE = {"pose": {"enabled": False}}


def test_clock_uses_timestamps_when_they_are_usable():
    t = np.array([0, 1, 3, 4, 6, 7, 9], float) / 30 + 5.0      # every third frame of 30 fps dropped
    c = Clock.of(7, 20.0, t)
    assert c.rate == pytest.approx(30.0) and c.t[0] == 0 and c.t[-1] == pytest.approx(0.3)
    assert c.step.tolist() == pytest.approx([1, 2, 1, 2, 1, 2, 1])
    assert c.after(0, 3, 30) == 2 and c.before(6, 3, 30) == 2       # frames within 0.1 s
    for bad in (t[:-1], t[::-1], np.r_[t[:-1], np.nan], None):      # wrong length, not increasing, NaN, none
        u = Clock.of(7, 20.0, bad)
        assert u.rate == 20.0 and u.t.tolist() == pytest.approx((np.arange(7) / 20).tolist())
    sixty = Clock.of(60, 60.0)
    assert sixty.after(10, 6, 30) == 12 and sixty.before(10, 8, 30) == 10   # the same time at twice the rate


def test_frame_times_are_the_streams_pts(tmp_path):
    keep = [0, 1, 3, 4, 6, 7, 9, 10]
    frames = C.plain_frames(len(keep))
    path = C.write_video(tmp_path / "vfr.mp4", frames, fps=30, pts=keep)
    assert frame_times(path).tolist() == pytest.approx((np.array(keep) / 30).tolist())
    assert load_clip(path).times.tolist() == pytest.approx((np.array(keep) / 30).tolist())
    cfr = C.write_video(tmp_path / "cfr.mp4", frames, fps=25)
    assert frame_times(cfr).tolist() == pytest.approx((np.arange(len(keep)) / 25).tolist())


@pytest.fixture(scope="module")
def scene(tmp_path_factory):
    """One simulated scenario rendered at 30, 60 and 25 fps, and a variable-rate copy of the 30 fps
    clip without every third frame: {name: clip dir}."""
    root = tmp_path_factory.mktemp("rates")
    out = {f"{fps}fps": C.sim_clip(root / str(fps), fps=fps, index=INDEX, **SIZE) for fps in (30, 60, 25)}
    n = len(load_clip(out["30fps"]))
    out["vfr"] = C.vfr_copy(out["30fps"], root / "vfr" / out["30fps"].name, [i for i in range(n) if i % 3 != 2])
    return out


def _report(d):
    clip = load_clip(d)
    return analyse(truth_instances(clip, ("ball", "player", "goal")), clip.fps, None, NO_POSE, times=clip.times), clip


def test_the_simulator_renders_one_scenario_at_any_rate(scene):
    t30, t60 = load_clip(scene["30fps"]).truth, load_clip(scene["60fps"]).truth
    assert (t30["fps"], t60["fps"]) == (30, 60) and t30["speed_kmh"] == t60["speed_kmh"]
    assert abs(t60["n_frames"] - 2 * t30["n_frames"]) <= 2 and t30["kind"] == t60["kind"] == "shot"


@pytest.mark.parametrize("rate", ["60fps", "25fps", "vfr"])
def test_same_scene_same_speed_at_any_frame_rate(scene, rate):
    ref, ref_clip = _report(scene["30fps"])
    rep, clip = _report(scene[rate])
    assert ref.shot_found and rep.shot_found
    assert clip.times is not None and ref_clip.times is not None
    assert abs(clip.times[rep.kick_frame] - ref_clip.times[ref.kick_frame]) <= 1.5 / 30   # the same kick
    tol = 0.03 if rate == "vfr" else 0.05       # the vfr copy has exactly the 30 fps clip's frames
    for got, want in ((rep.speed_kmh, ref.speed_kmh), (rep.speed_plain_kmh, ref.speed_plain_kmh)):
        assert got == pytest.approx(want, rel=tol), (rate, rep.speed_kmh, ref.speed_kmh, rep.speed_plain_kmh,
                                                     ref.speed_plain_kmh)
    truth = ref_clip.truth["speed_kmh"]
    assert rep.speed_kmh == pytest.approx(truth, rel=0.1)
