"""The detect stage: its cache round-trips through the teacher's read_labels; the sliced pass keeps
only tile balls, in frame coordinates, merged by NMS; a tiny trained student writes per-clip caches
with its fps, one class map end to end, and a rerun skips finished clips."""
import json

import numpy as np
import pytest
import supervision as sv

from kicky.core import store
from kicky.core.clips import load_clip
from kicky.core.store import read_labels
from kicky.detect import slicer
from kicky.detect.run import run
from kicky.detect.student import StudentRun
from kicky.errors import KickyError
from kicky.teacher.oracle import OracleBackend
from tests.helpers import compose_conf

CLASSES = ("ball", "player", "goal")


def test_cache_round_trip(short_clips, tmp_path):
    clip = load_clip(short_clips / "short_goal")
    labels = OracleBackend().label(clip, CLASSES, np.ones((len(clip), 3), bool))
    h = store.write(tmp_path, clip.clip_id, {"fingerprint": "abc", "source": "student", "classes": list(CLASSES),
                                             "fps": clip.fps, "detector": {"fps": 12.5}}, labels)
    assert h["n_frames"] == len(clip) and "frames" not in h
    header, back = read_labels(store.cache_path(tmp_path, clip.clip_id))
    assert header["detector"]["fps"] == 12.5 and len(back) == len(labels)
    for a, b in zip(labels, back):
        assert [(i.cls, i.score, i.source) for i in a] == [(i.cls, i.score, i.source) for i in b]
        assert all((i.mask == j.mask).all() and np.allclose(i.box, j.box) for i, j in zip(a, b))
    assert store.cached(tmp_path, clip.clip_id, "abc")["fps"] == clip.fps
    assert store.cached(tmp_path, clip.clip_id, "other") is None      # another checkpoint: redo
    assert store.cached(tmp_path, "nope", "abc") is None


def _fake_predict(tiles):
    """A 'model' that sees a ball in the centre of every tile and a player in its corner."""
    out = []
    for t in tiles:
        h, w = t.shape[:2]
        m = np.zeros((2, h, w), bool)
        m[0, h // 2 - 1:h // 2 + 1, w // 2 - 1:w // 2 + 1] = True
        m[1, :4, :4] = True
        out.append(sv.Detections(xyxy=np.array([[w / 2 - 1, h / 2 - 1, w / 2 + 1, h / 2 + 1], [0, 0, 4, 4]], float),
                                 confidence=np.array([0.9, 0.8]), class_id=np.array([0, 1]), mask=m))
    return out


def test_slicer_keeps_tile_balls_in_frame_coordinates():
    frame = np.zeros((180, 320, 3), np.uint8)
    assert slicer.tile_grid(320, 180, 160, 32) == 6
    balls = slicer.ball_from_tiles(_fake_predict, frame, ball_id=0, tile=160, overlap=32, iou=0.5)
    assert len(balls) == 6 and set(balls.class_id) == {0}
    assert balls.mask.shape == (6, 180, 320)
    centres = sorted(map(tuple, np.round(balls.get_anchors_coordinates(sv.Position.CENTER)).astype(int)))
    assert centres[0] == (80, 80)                                   # first tile's centre, in the frame
    full = _fake_predict([frame])[0]
    merged = slicer.merge(full, balls, 0, 0.5)
    assert (merged.class_id == 1).sum() == 1                        # the full frame's player stays
    assert (merged.class_id == 0).sum() == 7                        # centre ball + 6 tile balls (no overlap)
    dup = slicer.merge(full, full[full.class_id == 0], 0, 0.5)
    assert (dup.class_id == 0).sum() == 1                           # the same ball twice: NMS keeps one
    assert len(slicer.ball_from_tiles(_fake_predict, frame, 0, 400, 32, 0.5)) == 0   # tile >= frame: no pass


def test_missing_run_is_clear(tmp_path):
    with pytest.raises(KickyError, match="no trained student .* train one with `python train.py`"):
        StudentRun.load(tmp_path)


@pytest.mark.parametrize("over, expect", [("threshold=abc", "^threshold must be a number, got 'abc'"),
                                          ("batch=0", r"batch=0 is out of range")])
def test_bad_settings_are_clear(tiny_run, short_clips, tmp_path, over, expect):
    with pytest.raises(KickyError, match=expect):
        run(compose_conf("detect", [f"run={tiny_run}", f"clips={short_clips}", f"out={tmp_path / 'd'}", over]))
    assert not (tmp_path / "d").exists()


def test_student_writes_caches_with_fps(tiny_run, short_clips, tmp_path, capsys):
    out = tmp_path / "det"
    over = [f"run={tiny_run}", f"clips={short_clips}", f"out={out}", "device=cpu", "batch=2", "threshold=0.05"]
    s = run(compose_conf("detect", over))
    header, labels = read_labels(out / "short_goal" / "labels.json")
    assert len(labels) == 4 and header["n_frames"] == 4
    assert header["classes"] == json.loads((tiny_run / "metrics.json").read_text())["classes"] == list(CLASSES)
    d = header["detector"]
    assert d["fps"] > 0 and d["frames"] == 4 and d["device"] == "cpu" and d["dtype"] == "fp32" and d["machine"]
    assert all(i.cls in CLASSES and i.source == "student" and i.mask.shape == (180, 320) for f in labels for i in f)
    assert set(header["quality"]) == set(CLASSES)                  # recall vs truth on a simulated clip
    assert s["frames"] == 4 and s["fps"] > 0 and (out / "detect.json").is_file()
    capsys.readouterr()
    run(compose_conf("detect", over))                               # resumable: nothing left to do
    assert "1/1 clips already detected" in capsys.readouterr().out
    # the sliced pass: its own fingerprint (recomputed), the tile time recorded
    s2 = run(compose_conf("detect", [*over, "sliced=true", "slice.tile=160", "slice.overlap=32"]))
    h2, _ = read_labels(out / "short_goal" / "labels.json")
    assert h2["fingerprint"] != header["fingerprint"] and h2["detector"]["sliced"]["tile"] == 160
    assert s2["tile_seconds"] > 0


def test_splits_detect_only_the_held_out_clips(tiny_run, eval_data, tmp_path):
    man = json.loads((eval_data / "ds" / "manifest.json").read_text())["splits"]
    over = [f"run={tiny_run}", f"clips={eval_data / 'clips'}", f"out={tmp_path / 'det'}", "device=cpu", "batch=8"]
    with pytest.raises(KickyError, match="splits= needs data="):
        run(compose_conf("detect", [*over, "splits=[test]"]))
    s = run(compose_conf("detect", [*over, f"data={eval_data / 'ds'}", "splits=[test]"]))
    done = {p.parent.name for p in (tmp_path / "det").glob("*/labels.json")}
    assert done == {c for c, sp in man.items() if sp == "test"} and s["clips"] == len(done) > 0


def test_cpu_student_runs_rfdetrs_inference_copy_with_the_same_detections(tiny_run, short_clips):
    """On the CPU the student predicts through rfdetr's inference copy of the model (faster); every
    score, box and mask is the training graph's to the last bit."""
    from kicky.detect.student import Student
    frames = np.asarray(load_clip(short_clips / "short_goal").frames)
    st = Student.from_config(tiny_run, {"device": "cpu", "threshold": 0.0})
    assert st.model._is_optimized_for_inference and st.dtype == "fp32"
    fast = st.model.predict(list(frames), threshold=0.0, include_source_image=False)
    st.model.remove_optimized_model()
    slow = st.model.predict(list(frames), threshold=0.0, include_source_image=False)
    assert sum(len(d) for d in fast) > 0
    for a, b in zip(fast, slow):
        assert np.array_equal(a.confidence, b.confidence) and np.array_equal(a.xyxy, b.xyxy)
        assert np.array_equal(a.class_id, b.class_id) and np.array_equal(a.mask, b.mask)
