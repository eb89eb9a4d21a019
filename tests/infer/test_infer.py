"""infer.py: a simulated clip with source=truth gives a playable mp4 (every frame reads back, moov
before mdat) and a report whose goal verdict matches truth; the teacher and student sources run
through the same path; a corrupt file exits 2 with one line and writes nothing."""
import json
import os
import subprocess
import sys

import av
import cv2
import pytest

from kicky.errors import KickyError
from kicky.infer.run import run
from tests.helpers import compose_conf

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def _infer(*args):
    return subprocess.run([sys.executable, "infer.py", *args], cwd=ROOT, capture_output=True, text=True, timeout=300)


def _check_mp4(path, n):
    data = path.read_bytes()
    assert 0 <= data.find(b"moov") < data.find(b"mdat"), "moov atom must come first (faststart)"
    with av.open(str(path)) as c:
        assert c.streams.video[0].codec_context.name == "h264"
        assert sum(1 for _ in c.decode(video=0)) == n
    cap = cv2.VideoCapture(str(path))
    ok, frame = cap.read()
    cap.release()
    assert ok and frame.shape[2] == 3


def test_truth_source_writes_playable_mp4_and_matching_report(sim_clips, tmp_path):
    clip, truth = sim_clips["goal"]
    out = tmp_path / "out"
    p = _infer(f"clip={clip / 'clip.mp4'}", "source=truth", f"out={out}")
    assert p.returncode == 0, p.stderr
    assert sorted(f.name for f in out.iterdir()) == sorted(["config.yaml", f"{clip.name}_annotated.mp4", "report.json",
                                                            "coach.md"])
    _check_mp4(out / f"{clip.name}_annotated.mp4", truth["n_frames"])
    rep = json.loads((out / "report.json").read_text())
    assert rep["goal"] == (truth["outcome"] == "goal") is True
    assert rep["clip_id"] == clip.name and rep["source"] == "truth" and rep["truth"]["goal_correct"]
    assert len(rep["ball"]) == truth["n_frames"] and rep["kick_frame"] is not None
    assert "GOAL" in p.stdout
    coach = (out / "coach.md").read_text()                      # the rule-based coach, grounded on the report
    assert coach.startswith("**Verdict:** Great strike, that is a goal!") and coach.count("**Fix:**") == 2
    assert f"with your {rep['kicking_foot']} foot" in coach and "- coach: rules" in coach


def test_non_goal_verdict_matches_truth(sim_clips, tmp_path):
    clip, truth = sim_clips["wide"]
    rep = run(compose_conf("infer", [f"clip={clip}", "source=truth", f"out={tmp_path / 'o'}", "analysis.pose.enabled=false",
                                     "coach=none"]))
    assert rep["goal"] is False and truth["outcome"] != "goal"
    assert not (tmp_path / "o" / "coach.md").exists()                # coach=none: no coaching text


def test_teacher_source(short_clips, tmp_path):
    rep = run(compose_conf("infer", [f"clip={short_clips / 'short_goal' / 'clip.mp4'}", "source=teacher",
                                     "teacher=oracle", f"out={tmp_path / 'o'}"]))
    assert rep["detector"].pop("wall_seconds") > 0 and rep["n_frames"] == 4
    assert rep["detector"] == {"source": "teacher", "chain": ["oracle"]}
    _check_mp4(tmp_path / "o" / "short_goal_annotated.mp4", 4)


def test_student_source(short_clips, tiny_run, tmp_path):
    rep = run(compose_conf("infer", [f"clip={short_clips / 'short_goal'}", "source=student", f"run={tiny_run}",
                                     "student.device=cpu", "student.threshold=0.05", f"out={tmp_path / 'o'}"]))
    assert rep["detector"]["fps"] > 0 and rep["detector"]["model"] == "RFDETRSegNano" and rep["n_frames"] == 4
    _check_mp4(tmp_path / "o" / "short_goal_annotated.mp4", 4)


def test_corrupt_clip_exits_2_and_writes_nothing(tmp_path):
    bad = tmp_path / "bad.mp4"
    bad.write_bytes(b"\x00\x00\x00\x18ftypmp42" + os.urandom(4000))
    out = tmp_path / "out"
    before = set(os.listdir(ROOT))
    p = _infer(f"clip={bad}", "source=truth", f"out={out}")
    assert p.returncode == 2
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "bad.mp4" in lines[0], p.stderr
    assert "Traceback" not in p.stderr and not out.exists()
    assert set(os.listdir(ROOT)) == before                  # no log or hydra dir left behind either


def test_truth_source_needs_truth(short_clips, tmp_path):
    import shutil
    shutil.copy(short_clips / "short_goal" / "clip.mp4", tmp_path / "real.mp4")
    with pytest.raises(KickyError, match="source=truth needs the simulator's truth.json"):
        run(compose_conf("infer", [f"clip={tmp_path / 'real.mp4'}", "source=truth", f"out={tmp_path / 'o'}"]))
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize("over, expect", [("student.threshold=abc", "student.threshold must be a number, got 'abc'"),
                                          ("student.batch=0", r"batch=0 is out of range"),
                                          ("+student.thresh=0.5", "student: unknown key 'thresh'"),
                                          ("student.slice.mode=zoom", "student.slice.mode='zoom': use one of grid, roi"),
                                          ("student.fp16=maybe", "student.fp16='maybe': use one of auto, True, False")])
def test_bad_student_settings_are_one_clear_error(short_clips, tiny_run, tmp_path, over, expect):
    with pytest.raises(KickyError, match=expect):   # the same checks as the detect stage's
        run(compose_conf("infer", [f"clip={short_clips / 'short_goal'}", "source=student", f"run={tiny_run}",
                                   "student.device=cpu", over, f"out={tmp_path / 'o'}"]))
    assert not (tmp_path / "o").exists()


def test_player_ids_match_report_boxes_one_to_one():
    """Report players are matched to a frame's player instances by box IoU >= 0.5, each instance once;
    balls, far boxes and empty frames match nothing."""
    import numpy as np
    from kicky.core.instances import Instance
    from kicky.infer.annotate import player_ids

    def inst(cls, box):
        return Instance(cls, np.zeros((4, 4), bool), 1.0, "t", box=box)
    frame = [inst("player", (10, 10, 30, 60)), inst("ball", (40, 50, 44, 54)), inst("player", (100, 10, 120, 60))]
    players = [{"id": "P2", "box": [101, 11, 121, 61]}, {"id": "P1", "box": [10, 10, 30, 60]},
               {"id": "P3", "box": [300, 10, 320, 60]}]
    got = player_ids(frame, players)
    assert [(pid, d.box) for pid, d in got] == [("P2", (100, 10, 120, 60)), ("P1", (10, 10, 30, 60))]
    assert player_ids([], players) == [] and player_ids(frame, []) == []
