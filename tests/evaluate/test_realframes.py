"""Real-frame ball scoring: recall and pycocotools AP against hand-computed values on synthetic boxes;
the YOLO loader on tiny temp files; one end-to-end run of the tiny student on two temp images (its
numbers must be what the pure scoring gives on its own detections); bad input is one clear line."""
import json
import os
import subprocess
import sys

import cv2
import numpy as np
import pytest

from kicky.detect.config import student_settings
from kicky.detect.student import Student
from kicky.errors import KickyError
from kicky.evaluate.realframes import detect_balls, found, load_yolo, read_frame, run, score_balls
from tests.helpers import compose_conf

SIZE = (1920, 1080)
ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
A, B = (100.0, 100.0, 110.0, 110.0), (500.0, 300.0, 520.0, 320.0)     # 10 px and 20 px balls


def shifted(box, dx, score=0.9):
    x0, y0, x1, y1 = box
    return (x0 + dx, y0, x1 + dx, y1, score)


def test_perfect_predictions_score_one():
    s = score_balls([[A], [B]], [[(*A, 0.9)], [(*B, 0.8)]], SIZE, threshold=0.3)
    assert s["recall"] == 1.0 and s["ap50"] == pytest.approx(1.0) and s["ap"] == pytest.approx(1.0)
    assert s["n_images"] == 2 and s["n_balls"] == 2 and s["found"] == 2 and s["n_pred"] == 2


@pytest.mark.parametrize("dx, recall, ap50, ap", [
    (2, 1.0, 1.0, 0.4),    # IoU 80/120 = 0.667: a hit at IoU 0.50 .. 0.65 (4 of 10 thresholds)
    (5, 1.0, 0.0, 0.0),    # IoU 1/3: no AP, but the centre is 5 px off, within one diameter (10 px)
    (11, 0.0, 0.0, 0.0),   # 11 px off: beyond one diameter
])
def test_shifted_prediction(dx, recall, ap50, ap):
    s = score_balls([[A]], [[shifted(A, dx)]], SIZE, threshold=0.3)
    assert s["recall"] == recall and s["ap50"] == pytest.approx(ap50) and s["ap"] == pytest.approx(ap)


def test_missing_and_false_balls():
    # one of two balls found: precision 1 up to recall 0.5 -> 51 of pycocotools' 101 recall points
    s = score_balls([[A], [B]], [[(*A, 0.9)], []], SIZE, threshold=0.3)
    assert s["recall"] == 0.5 and s["ap50"] == pytest.approx(51 / 101) and s["ap"] == pytest.approx(51 / 101)
    # a false ball scored above the true one halves the precision of that recall
    s = score_balls([[A], [B]], [[(*A, 0.9)], [(1000, 900, 1010, 910, 0.95)]], SIZE, threshold=0.3)
    assert s["recall"] == 0.5 and s["ap50"] == pytest.approx(0.5 * 51 / 101) and s["n_pred"] == 2
    # below the threshold: not counted for recall, still in the AP curve
    s = score_balls([[A]], [[(*A, 0.2)]], SIZE, threshold=0.3)
    assert s["recall"] == 0.0 and s["ap50"] == pytest.approx(1.0)


def test_found_rule_is_qualitys_ball_rule():
    tiny = (50.0, 50.0, 52.0, 52.0)                              # a 2 px ball: the 3 px floor applies
    assert found([tiny], [shifted(tiny, 2.5)], 0.3) == 1
    assert found([tiny], [shifted(tiny, 3.5)], 0.3) == 0
    assert found([tiny], [shifted(tiny, 3.5)], 0.3, ball_px=4) == 1
    assert found([A], [(*A, 0.9), shifted(A, 1)], 0.3) == 1      # one-to-one: two on one ball find one
    near = (112.0, 100.0, 122.0, 110.0)                          # a second ball beside A
    assert found([A, near], [shifted(A, 6)], 0.3) == 1           # one prediction finds one of two
    assert found([A, near], [shifted(A, 6), (*A, 0.5)], 0.3) == 2   # greedy by distance pairs both
    assert found([], [(*A, 0.9)], 0.3) == 0


def _yolo(root, files: dict[str, str | None], size=(64, 64)):
    (root / "images").mkdir(parents=True)
    (root / "labels").mkdir()
    for name, label in files.items():
        cv2.imwrite(str(root / "images" / name), np.zeros((*size[::-1], 3), np.uint8))
        if label is not None:
            (root / "labels" / f"{os.path.splitext(name)[0]}.txt").write_text(label)
    return root


def test_yolo_loader(tmp_path):
    d = _yolo(tmp_path / "ds", {"a.jpg": "0 0.5 0.5 0.1 0.2\n1 0.1 0.1 0.1 0.1\n", "b.png": None, "c.jpg": ""})
    items = load_yolo(d, SIZE)
    assert [p.name for p, _ in items] == ["a.jpg", "b.png", "c.jpg"]
    assert items[0][1] == [pytest.approx((864, 432, 1056, 648))]      # only class 0, in 1920x1080 pixels
    assert items[1][1] == [] and items[2][1] == []                    # no label file / empty: no ball
    frame = read_frame(items[0][0], SIZE)
    assert frame.shape == (1080, 1920, 3) and frame.dtype == np.uint8


@pytest.mark.parametrize("files, expect", [
    (None, "no real frames at"),
    ({"a.jpg": None}, "no YOLO labels in"),
    ({"a.jpg": "0 0.5 0.5 0.1\n"}, r"a.txt:1: expected `class cx cy w h`"),
    ({"a.jpg": "2 0.5 0.5 0.1 0.1\n"}, r"no ball \(class 0\)"),
])
def test_yolo_loader_errors(tmp_path, files, expect):
    d = tmp_path / "ds" if files is None else _yolo(tmp_path / "ds", files)
    with pytest.raises(KickyError, match=expect):
        load_yolo(d, SIZE)


def _real_like(root):
    """Two 640x640 'broadcast frames' (1080p stretched), a white ball on grass in each."""
    (root / "images").mkdir(parents=True)
    (root / "labels").mkdir()
    for k, (cx, cy) in enumerate([(0.3, 0.6), (0.7, 0.4)]):
        img = np.full((640, 640, 3), (40, 140, 40), np.uint8)
        cv2.ellipse(img, (int(cx * 640), int(cy * 640)), (2, 4), 0, 0, 360, (250, 250, 250), -1)
        cv2.imwrite(str(root / "images" / f"f{k}.jpg"), img)
        (root / "labels" / f"f{k}.txt").write_text(f"0 {cx} {cy} {6 / 1920:.6f} {10 / 1080:.6f}\n")
    return root


def test_real_frames_end_to_end(tiny_run, tmp_path, capsys):
    data = _real_like(tmp_path / "real")
    over = [f"run={tiny_run}", f"data={data}", f"out={tmp_path / 'rf.json'}", "device=cpu", "batch=2",
            "threshold=0.05"]
    s = run(compose_conf("realframes", over))
    saved = json.loads((tmp_path / "rf.json").read_text())
    assert saved == json.loads(json.dumps(s))
    for key in ("n_images", "n_balls", "found", "recall", "ap50", "ap", "n_pred", "detector", "images"):
        assert key in saved, key
    assert saved["n_images"] == 2 and saved["n_balls"] == 2 and saved["size"] == [1920, 1080]
    assert 0.0 <= saved["recall"] <= 1.0 and 0.0 <= saved["ap50"] <= 1.0 and 0.0 <= saved["ap"] <= 1.0
    d = saved["detector"]
    assert d["frames"] == 2 and d["device"] == "cpu" and d["model"] == "RFDETRSegNano" and d["sliced"] is None
    assert [im["image"] for im in saved["images"]] == ["f0.jpg", "f1.jpg"]
    assert saved["images"][0]["truth"] == [pytest.approx([573, 643, 579, 653], abs=0.01)]
    assert sum(len(im["balls"]) for im in saved["images"]) == saved["n_pred"]
    line = capsys.readouterr().out.strip().splitlines()[-1]
    assert line.startswith("kicky: 2 real frames at 1920x1080: ball recall") and "AP50" in line
    # the same student on the same frames, scored by the pure function: the same numbers
    conf = compose_conf("realframes", over)
    items = load_yolo(data, (1920, 1080))
    balls, _ = detect_balls(Student.from_config(tiny_run, student_settings(conf, top_level=True)), [read_frame(p, (1920, 1080)) for p, _ in items])
    ref = score_balls([t for _, t in items], balls, (1920, 1080), 0.05)
    assert saved["recall"] == round(ref["recall"], 4) and saved["ap50"] == round(ref["ap50"], 4)
    assert saved["ap"] == round(ref["ap"], 4) and saved["n_pred"] == ref["n_pred"]
    # detect's sliced pass is honoured
    s2 = run(compose_conf("realframes", [*over, "sliced=true", "slice.tile=960", "slice.overlap=64"]))
    assert s2["detector"]["sliced"]["tile"] == 960 and 0.0 <= s2["recall"] <= 1.0


def test_bad_run_dir_is_clear(tmp_path):
    data = _real_like(tmp_path / "real")
    with pytest.raises(KickyError, match="no trained student"):
        run(compose_conf("realframes", [f"run={tmp_path}", f"data={data}", f"out={tmp_path / 'rf.json'}"]))
    assert not (tmp_path / "rf.json").exists()


def test_roi_slicing_is_refused(tmp_path):
    with pytest.raises(KickyError, match="use slice.mode=grid"):
        run({"run": str(tmp_path), "data": str(tmp_path), "out": str(tmp_path / "rf.json"), "size": [1920, 1080],
             "ball_px": 3.0, "sliced": True, "slice": {"mode": "roi"}})


def test_cli_missing_folder_is_one_line(tmp_path):
    p = subprocess.run([sys.executable, "-m", "kicky.evaluate.realframes", f"run={tmp_path}",
                        f"data={tmp_path / 'nope'}", f"out={tmp_path / 'rf.json'}", f"hydra.run.dir={tmp_path / 'h'}"],
                       cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert p.returncode == 2 and "Traceback" not in p.stderr
    assert p.stderr.strip().splitlines() == [p.stderr.strip()] and p.stderr.startswith("error: no real frames at")


def test_real_frames_with_the_ball_specialist(tmp_path, capsys):
    """ballnet= scores the ball specialist: each still is its own (f, f, f) window; the saved numbers
    are the pure scoring of its balls, and it reads the stills at native resolution."""
    from kicky.ballnet.detect import BallDetector
    from kicky.evaluate.realframes import ballnet_balls
    from tests.helpers import random_ballnet
    run_dir = random_ballnet(tmp_path / "ballnet")
    data = _real_like(tmp_path / "real")
    over = [f"ballnet={run_dir}", f"data={data}", f"out={tmp_path / 'rf.json'}", "device=cpu", "threshold=0.0",
            "size=[640,360]"]
    saved = run(compose_conf("realframes", over))
    assert saved["detector"]["model"] == "ballnet" and saved["detector"]["frames"] == 2
    assert saved["n_pred"] == 2                      # k = 1 peak per still, threshold 0
    det = BallDetector(run_dir, device="cpu", threshold=0.0)
    items = load_yolo(data, (640, 360))
    balls, _ = ballnet_balls(det, [read_frame(p, (640, 360)) for p, _ in items])
    ref = score_balls([t for _, t in items], balls, (640, 360), 0.0)
    assert saved["recall"] == round(ref["recall"], 4) and saved["ap50"] == round(ref["ap50"], 4)
    assert [im["balls"] for im in saved["images"]] == [[[round(v, 4) for v in b] for b in bs] for bs in balls]
    assert "ballnet native resolution" in capsys.readouterr().out
