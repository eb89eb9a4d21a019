"""The `python -m kicky.sim` app: config errors, resumable batches, readable videos, balance."""
from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter

import numpy as np
import pytest

from kicky.errors import KickyError
from kicky.io.video import probe, read_frames
from kicky.sim.run import run
from kicky.sim.config import SimConfig
from kicky.sim.scenario import sample

SMALL = {"width": 160, "height": 90}


@pytest.mark.parametrize("bad, words", [
    ({"speed_kmh": [-10, 50]}, "speed_kmh"),
    ({"width": 0}, "resolution"),
    ({"outcome_weights": {"goal": 1.0, "bicycle_kick": 1.0}}, "unknown outcome"),
    ({"fps": 0}, "fps"),
    ({"resolution": 3}, "unknown key"),
])
def test_bad_config_gives_one_clear_error(bad, words):
    with pytest.raises(KickyError, match=words):
        SimConfig.from_dict(bad)


def test_cli_bad_value_exits_with_a_message_not_a_traceback(tmp_path):
    r = subprocess.run([sys.executable, "-m", "kicky.sim", "sim=test", "n_clips=1", f"out={tmp_path}",
                        "sim.speed_kmh=[-5,10]"], capture_output=True, text=True, timeout=120)
    assert r.returncode == 2
    assert "speed_kmh" in r.stderr and "Traceback" not in r.stderr
    assert not any(tmp_path.iterdir())


def test_batch_resumes_and_writes_complete_clips_only(tmp_path):
    conf = {"n_clips": 2, "seed": 11, "out": str(tmp_path), "workers": 1, "sim": SMALL}
    rows = run(conf)
    assert [r["clip_id"] for r in rows] == ["sim11_00000", "sim11_00001"]
    first = (tmp_path / "sim11_00000" / "clip.mp4").stat().st_mtime_ns
    (tmp_path / "sim11_00001" / "truth.json").unlink()  # as if killed mid-clip
    (tmp_path / ".sim11_00002.partial").mkdir()          # a stale temp dir is ignored
    run({**conf, "n_clips": 3})
    assert (tmp_path / "sim11_00000" / "clip.mp4").stat().st_mtime_ns == first  # not re-rendered
    for i in range(3):
        assert (tmp_path / f"sim11_0000{i}" / "truth.json").is_file()
    index = json.loads((tmp_path / "index.json").read_text())
    assert index["n_clips"] == 3 and len(index["clips"]) == 3


def test_video_has_every_frame_and_plays_from_the_start(sim_clips):
    clip_dir, truth = sim_clips["goal"]
    info = probe(clip_dir / "clip.mp4")
    assert (info["width"], info["height"], round(info["fps"])) == (truth["width"], truth["height"], 30)
    frames = list(read_frames(clip_dir / "clip.mp4"))
    assert len(frames) == truth["n_frames"]
    head = (clip_dir / "clip.mp4").read_bytes()[:4096]
    assert head.find(b"moov") != -1 and (head.find(b"mdat") == -1 or head.find(b"moov") < head.find(b"mdat"))


def test_corrupt_video_gives_a_clear_error(tmp_path):
    bad = tmp_path / "clip.mp4"
    bad.write_bytes(b"\x00\x00\x00\x18ftypmp42 this is not a video")
    with pytest.raises(KickyError, match="cannot"):
        list(read_frames(bad))


def test_outcomes_feet_and_ball_sizes_are_realistic():
    """Scenario sampling only: every outcome and both feet appear; the ball is a few px at 1080p."""
    cfg = SimConfig()
    scns = [sample(cfg, np.random.default_rng([1, i])) for i in range(48)]
    outcomes = Counter(s.outcome for s in scns)
    assert set(outcomes) == {"goal", "saved", "post", "over", "wide", "no_shot"}
    feet = Counter(s.foot for s in scns if s.kind == "shot")
    assert min(feet["left"], feet["right"]) >= 0.3 * sum(feet.values())
    at_goal = []  # ball diameter in px when it reaches the goal (the far end of the action)
    for s in scns:
        if s.kind == "shot":
            z = s.camera.to_cam(np.array([0.0, 0.0, 1.0]))[2]
            at_goal.append(2 * s.camera.focal * 0.11 / z)
    assert np.median(at_goal) < 12 and min(at_goal) < 7
