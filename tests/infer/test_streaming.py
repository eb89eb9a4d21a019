"""Issue 17, item 3: infer streams a clip of any length. The student path never holds more than a
batch of frames and a few cached ones; the teacher path a window; 4K footage is analysed at 1080p."""
import json

import numpy as np
import pytest

from kicky.infer.run import run
from kicky.io import frames as vf
from kicky.io.video import probe, read_frames, write_mp4
from tests.helpers import compose_conf


@pytest.fixture
def held(monkeypatch):
    """The most frames any one read of a VideoFrames returned, and a refusal of whole-clip reads."""
    most = {"n": 0}
    get = vf.VideoFrames.__getitem__

    def spy(self, key):
        out = get(self, key)
        most["n"] = max(most["n"], 1 if np.ndim(out) == 3 else len(out))
        return out

    def whole(self, *a, **k):
        raise AssertionError("the whole clip was decoded into one array")
    monkeypatch.setattr(vf.VideoFrames, "__getitem__", spy)
    monkeypatch.setattr(vf.VideoFrames, "__array__", whole)
    return most


def _long(src, dst, times=3, first=None):
    """A footage file (no truth): the clip (its `first` frames) played `times` times over."""
    frames = [f for _ in range(times) for _, f in read_frames(src / "clip.mp4", None if first is None else range(first))]
    write_mp4(dst, frames, 30, 800_000)
    return dst, len(frames)


def test_student_path_reads_a_batch_at_a_time(sim_clips, tiny_run, tmp_path, held):
    clip, n = _long(sim_clips["goal"][0], tmp_path / "long.mp4", times=2, first=20)
    doc = run(compose_conf("infer", [f"clip={clip}", "source=student", f"run={tiny_run}", "student.batch=4",
                                     "student.device=cpu", f"out={tmp_path / 'o'}", "coach=none"]))
    assert doc["detector"]["frames"] == n
    assert 1 <= held["n"] <= 4
    assert probe(tmp_path / "o" / "long_annotated.mp4")["frames"] == n


def test_teacher_path_reads_a_window_at_a_time(sim_clips, tmp_path, held):
    clip, n = _long(sim_clips["goal"][0], tmp_path / "long.mp4", times=2)
    doc = run(compose_conf("infer", [f"clip={clip}", "source=teacher", "teacher=motion",
                                     "teacher.backends.motion.person_model=none", "teacher.window.seconds=2",
                                     "teacher.window.overlap=0.5", f"out={tmp_path / 'o'}", "coach=none",
                                     "analysis.pose.enabled=false"]))
    assert 30 < held["n"] <= 60                     # 2 s windows of a 30 fps clip
    report = json.loads((tmp_path / "o" / "report.json").read_text())
    assert report["clip_id"] == doc["clip_id"] and report["n_frames"] == n


def test_4k_is_analysed_at_1080p(tmp_path):
    frames = [np.full((2160, 3840, 3), 60 + i, np.uint8) for i in range(8)]
    write_mp4(tmp_path / "uhd.mp4", frames, 30, 2_000_000)
    run(compose_conf("infer", [f"clip={tmp_path / 'uhd.mp4'}", "source=teacher", "teacher=motion",
                               "teacher.backends.motion.person_model=none", f"out={tmp_path / 'o'}", "coach=none"]))
    info = probe(tmp_path / "o" / "uhd_annotated.mp4")
    assert (info["width"], info["height"]) == (1920, 1080) and info["frames"] == 8
    run(compose_conf("infer", [f"clip={tmp_path / 'uhd.mp4'}", "source=teacher", "teacher=motion", "max_height=0",
                               "teacher.backends.motion.person_model=none", f"out={tmp_path / 'o2'}", "coach=none"]))
    assert probe(tmp_path / "o2" / "uhd_annotated.mp4")["width"] == 3840
