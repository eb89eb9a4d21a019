"""The three stages on six tiny simulated clips (320x180) with oracle labels and a built dataset:
a tiny training run whose loss falls and which reads only the train / valid clips, its resume, the
detect stage's caches (read back by read_labels) and the merge (base players / goal + ballnet balls);
bad settings stop with one clear error."""
import json
import os
import subprocess
import sys

import numpy as np
import pytest

from kicky.ballnet import crops
from kicky.ballnet.detect import ellipse_mask, run as detect
from kicky.ballnet.train import run as train
from kicky.core.store import cache_path, read_labels
from kicky.detect.merge import run as merge
from kicky.errors import KickyError
from tests.helpers import compose_conf

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
TINY = ["crop=96", "crops.every=8", "model.widths=[8,16,16]", "batch=8", "limit_steps=4", "loader_workers=0",
        "workers=1", "device=cpu", "warmup_steps=2", "lr=3e-3"]


def train_conf(d, out, *extra):
    return compose_conf("ballnet", [f"labels={d / 'labels'}", f"clips={d / 'clips'}", f"data={d / 'ds'}",
                                    f"out={out}", *TINY, *extra])


def split_of(d) -> dict:
    return json.loads((d / "ds" / "manifest.json").read_text())["splits"]


@pytest.fixture(scope="module")
def trained(eval_data, tmp_path_factory):
    out = tmp_path_factory.mktemp("ballnet") / "run"
    metrics = train(train_conf(eval_data, out, "epochs=2"))
    return out, metrics


def test_tiny_training_run(trained, eval_data):
    out, metrics = trained
    for f in ("config.yaml", "last.pt", "best.pt", "history.json", "metrics.json"):
        assert (out / f).is_file(), f
    hist = json.loads((out / "history.json").read_text())
    assert [h["epoch"] for h in hist] == [1, 2]
    assert hist[1]["train/loss"] < hist[0]["train/loss"]                # the loss falls
    for key in ("val/ball_AP50", "val/ball_AP", "val/ball_recall", "val/ball_precision", "val/loss"):
        assert key in hist[0]
    assert metrics["epochs_done"] == 2 and metrics["best_epoch"] in (1, 2) and metrics["classes"] == ["ball"]
    # the crop cache holds the train and valid clips only: the held-out test clips are never read
    splits = split_of(eval_data)
    cached = {p.name: s for s in ("train", "valid") for p in (out / "crops" / s).iterdir()}
    assert cached == {c: s for c, s in splits.items() if s in ("train", "valid")}
    assert "test" in splits.values() and not (out / "crops" / "test").exists()
    d = next((out / "crops" / "train").iterdir())
    x, box = np.load(d / "x.npy", mmap_mode="r"), np.load(d / "box.npy")
    assert x.shape[1:] == (96, 96, 9) and x.dtype == np.uint8 and len(box) == len(x)
    assert np.isfinite(box).all(1).any() and (~np.isfinite(box).all(1)).any()   # ball crops and empty ones


def test_crops_hold_the_labelled_ball(trained, eval_data):
    """A ball crop's box is the label's box shifted by the crop's origin, and the pixels are the clip's."""
    from kicky.ballnet.frames import rgb_frames
    out, _ = trained
    d = next((out / "crops" / "train").iterdir())
    meta = json.loads((d / "meta.json").read_text())
    head, boxes = crops.ball_boxes(cache_path(eval_data / "labels", d.name))
    rows, bx = crops.plan(boxes, tuple(meta["shape"]), 96, meta["crops_cfg"],
                          np.random.default_rng([meta["seed"], __import__("zlib").crc32(d.name.encode())]))
    np.testing.assert_array_equal(bx, np.load(d / "box.npy"))
    frames = list(rgb_frames(eval_data / "clips" / d.name))
    x = np.load(d / "x.npy", mmap_mode="r")
    for i, (t, x0, y0, kind) in enumerate(rows):
        if crops.KINDS[kind] == "ball":
            assert np.isfinite(bx[i]).all()
            np.testing.assert_allclose(bx[i], np.array(boxes[t]) - [x0, y0, x0, y0], atol=1e-4)
        if crops.KINDS[kind] == "negative":
            assert not np.isfinite(bx[i]).any()
        np.testing.assert_array_equal(x[i][:, :, 3:6], frames[t][y0:y0 + 96, x0:x0 + 96])


def test_resume_continues_after_the_last_epoch(trained, eval_data, tmp_path, capsys):
    import shutil
    out = tmp_path / "run"
    shutil.copytree(trained[0], out)
    state = __import__("torch").load(out / "last.pt", weights_only=False)
    state["epoch"], state["history"] = 0, state["history"][:1]   # as if killed during epoch 2
    __import__("torch").save(state, out / "last.pt")
    first = json.loads((trained[0] / "history.json").read_text())[0]
    with pytest.raises(KickyError, match="already holds a ballnet run"):
        train(train_conf(eval_data, out, "epochs=3"))
    m = train(train_conf(eval_data, out, "epochs=3", "resume=true"))
    hist = json.loads((out / "history.json").read_text())
    assert [h["epoch"] for h in hist] == [1, 2, 3] and hist[0] == first
    assert m["epochs_done"] == 3 and (out / "best.pt").is_file()
    assert "cutting" not in capsys.readouterr().out                     # the crop cache was kept


def test_detect_writes_caches_and_merge_replaces_the_ball(trained, eval_data, tmp_path):
    out = tmp_path / "det"
    conf = compose_conf("ballnet_detect", [f"run={trained[0]}", f"clips={eval_data / 'clips'}", f"out={out}",
                                           f"data={eval_data / 'ds'}", "splits=[test]", "device=cpu",
                                           "batch=7", "threshold=0.0"])
    summary = detect(conf)
    clips = sorted(c for c, s in split_of(eval_data).items() if s == "test")
    assert summary["clips"] == len(clips) and summary["quality"]["ball"]["recall"] is not None
    assert json.loads((out / "detect.json").read_text())["frames"] == summary["frames"]
    for c in clips:
        head, labels = read_labels(cache_path(out, c))
        truth = json.loads((eval_data / "clips" / c / "truth.json").read_text())
        assert len(labels) == len(truth["frames"]) == head["n_frames"]
        assert head["source"] == "ballnet" and head["classes"] == ["ball"] and head["width"] == 320
        assert head["detector"]["frames"] == len(labels) and head["detector"]["seconds"] > 0
        assert "ball" in head["quality"]
        assert all(len(fr) == 1 and fr[0].cls == "ball" and fr[0].mask.any() for fr in labels)   # k=1, threshold 0
    summary2 = detect(conf)                                              # a rerun skips finished clips
    assert summary2["frames"] == summary["frames"]

    merged = tmp_path / "merged"
    mconf = compose_conf("merge", [f"base={eval_data / 'labels'}", f"ball={out}", f"out={merged}",
                                   f"clips={eval_data / 'clips'}", f"data={eval_data / 'ds'}", "splits=[test]"])
    ms = merge(mconf)
    assert ms["clips"] == len(clips)
    for c in clips:
        _, base = read_labels(cache_path(eval_data / "labels", c))
        bh, ball = read_labels(cache_path(out, c))
        mh, got = read_labels(cache_path(merged, c))
        assert mh["classes"] == ["ball", "player", "goal"] and set(mh["quality"]) == {"ball", "player", "goal"}
        assert mh["detector"]["seconds"] == pytest.approx(bh["detector"]["seconds"])
        for b, s, g in zip(base, ball, got):
            assert [(i.cls, i.source) for i in g] == [(i.cls, i.source) for i in b if i.cls != "ball"] + \
                   [("ball", "ballnet")] * len(s)
            assert all((i.mask == j.mask).all() for i, j in zip([i for i in b if i.cls != "ball"], g))
            assert all((i.mask == j.mask).all() and i.box == j.box for i, j in zip(s, g[len(g) - len(s):]))
    # every clip of the base (all splits) against a ballnet run over the test split: one clear error
    with pytest.raises(KickyError, match="are not in"):
        merge(compose_conf("merge", [f"base={eval_data / 'labels'}", f"ball={out}", f"out={tmp_path / 'm2'}"]))


def test_ellipse_mask():
    m = ellipse_mask((10, 20, 20, 26), (40, 40))
    ys, xs = np.nonzero(m)
    assert (xs.min(), xs.max() + 1, ys.min(), ys.max() + 1) == (10, 20, 20, 26)
    assert m.sum() < 60 and m[23, 15] and not m[20, 10]
    assert ellipse_mask((3.2, 3.2, 3.4, 3.4), (8, 8)).sum() == 1          # a sub-pixel box keeps one pixel


def test_bad_settings_stop_with_one_clear_error(eval_data, trained, tmp_path):
    with pytest.raises(KickyError, match="crop=200 is larger than the clip's frames"):
        train(train_conf(eval_data, tmp_path / "a", "crop=200"))
    with pytest.raises(KickyError, match="no label cache"):
        train(compose_conf("ballnet", [f"labels={tmp_path}", f"clips={eval_data / 'clips'}",
                                       f"data={eval_data / 'ds'}", f"out={tmp_path / 'b'}", *TINY]))
    with pytest.raises(KickyError, match="dataset manifest"):
        train(train_conf(eval_data, tmp_path / "c", f"data={tmp_path}"))
    with pytest.raises(KickyError, match="batch=0 is out of range"):
        train(train_conf(eval_data, tmp_path / "d", "batch=0"))
    with pytest.raises(KickyError, match="stride must be 2 or 4"):
        train(train_conf(eval_data, tmp_path / "e", "model.stride=3"))
    with pytest.raises(KickyError, match="no trained ballnet"):
        detect(compose_conf("ballnet_detect", [f"run={tmp_path / 'nope'}", f"clips={eval_data / 'clips'}"]))
    with pytest.raises(KickyError, match="threshold=2.0 is out of range"):
        detect(compose_conf("ballnet_detect", [f"run={trained[0]}", "threshold=2", f"clips={eval_data / 'clips'}"]))
    with pytest.raises(KickyError, match="no detections at"):
        merge(compose_conf("merge", [f"base={tmp_path / 'x'}", f"ball={tmp_path / 'y'}", f"out={tmp_path / 'z'}"]))
    # on the command line: one line on stderr, exit status 2, no traceback
    r = subprocess.run([sys.executable, "-m", "kicky.ballnet.detect", f"run={tmp_path / 'nope'}"], cwd=ROOT,
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 2 and r.stderr.strip().startswith("error: no trained ballnet") and "Traceback" not in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1


def _ball(x, y, score, d=6, shape=(60, 80)):
    from kicky.core.instances import Instance
    m = np.zeros(shape, bool)
    m[y:y + d, x:x + d] = True
    return Instance("ball", m, score, "t").to_json()


def test_pseudo_labels_take_the_confident_student_and_the_agreed_teacher():
    from kicky.detect.merge import pseudo_frames
    player = {"class": "player", "score": 0.9, "rle": _ball(0, 0, 1, 20)["rle"]}
    teacher = [[player, _ball(10, 10, 0.5)],      # student confident elsewhere -> the student's ball
               [player, _ball(10, 10, 0.5)],      # student weak but on it -> the teacher's ball (agreed)
               [player, _ball(10, 10, 0.5)],      # student weak and far -> dropped
               [player],                          # nothing anywhere -> none
               [_ball(30, 30, 0.5)]]              # student weak and absent -> dropped
    student = [[_ball(50, 40, 0.8)], [_ball(12, 11, 0.2)], [_ball(50, 40, 0.2)], [], []]
    frames, n = pseudo_frames(teacher, student, hi=0.5, lo=0.15)
    assert n == {"student": 1, "agreed": 1, "dropped": 2, "none": 1}
    assert [[d["class"] for d in f] for f in frames] == [["player", "ball"], ["player", "ball"], ["player"],
                                                          ["player"], []]
    assert frames[0][1] is student[0][0] and frames[1][1] is teacher[1][1]


def test_pseudo_merge_and_init_from_a_run(trained, eval_data, tmp_path, capsys):
    """A self-training round: the trained run's detections on the train / valid clips + the labels ->
    pseudo-labels, and a run started from the first run's weights."""
    det = tmp_path / "det"
    detect(compose_conf("ballnet_detect", [f"run={trained[0]}", f"clips={eval_data / 'clips'}", f"out={det}",
                                           f"data={eval_data / 'ds'}", "splits=[train,valid]", "device=cpu",
                                           "threshold=0.0"]))
    pseudo = tmp_path / "pseudo"
    s = merge(compose_conf("merge", [f"base={eval_data / 'labels'}", f"ball={det}", f"out={pseudo}",
                                     f"data={eval_data / 'ds'}", "splits=[train,valid]", "rule=pseudo",
                                     "pseudo.hi=0.0", "quality=ball", f"clips={eval_data / 'clips'}"]))
    n = s["pseudo"]
    assert s["rule"] == "pseudo" and sum(n.values()) == s["frames"] and n["agreed"] == 0
    assert n["student"] > 0.9 * s["frames"]                 # hi=0: every frame where the student has a ball
    assert set(s["quality"]) == {"ball"}                     # quality=ball: only the ball scored against truth
    _, got = read_labels(cache_path(pseudo, next(p.name for p in pseudo.iterdir() if p.is_dir())))
    balls = [[i.source for i in fr if i.cls == "ball"] for fr in got]   # hi=0: the student's ball wherever it has one
    assert all(b in (["ballnet"], []) for b in balls) and balls.count(["ballnet"]) > 0.9 * len(balls)
    with pytest.raises(KickyError, match="rule='both'"):
        merge(compose_conf("merge", [f"base={eval_data / 'labels'}", f"ball={det}", f"out={tmp_path / 'p2'}",
                                     "rule=both"]))
    m = train(train_conf(eval_data, tmp_path / "round2", "epochs=1", f"labels={pseudo}", f"init={trained[0]}"))
    assert "starting from the weights of" in capsys.readouterr().out and m["epochs_done"] == 1
    with pytest.raises(KickyError, match="the config asks for"):
        train(train_conf(eval_data, tmp_path / "round3", "epochs=1", f"init={trained[0]}",
                         "model.widths=[8,16,32]"))
    with pytest.raises(KickyError, match="no ballnet checkpoint"):
        train(train_conf(eval_data, tmp_path / "round4", "epochs=1", f"init={tmp_path / 'none'}"))


def test_unlabelled_frames_give_empty_crops_or_none():
    """`crops.unlabelled`: random gives each frame without a labelled ball one empty crop (the labels
    say "no ball"); skip gives those frames none, and leaves the labelled frames' crops as they were."""
    boxes = [None, (40.0, 40.0, 50.0, 50.0), None, None, (10.0, 60.0, 18.0, 68.0)]
    cfg = {"every": 1, "per_frame": 2, "ball": 1.0, "negative": 0.0, "random": 0.0, "margin": 4}
    rows, bx = crops.plan(boxes, (120, 160), 64, cfg, np.random.default_rng(0))
    assert sorted(set(rows[:, 0].tolist())) == [0, 1, 2, 3, 4] and len(rows) == 10
    empty = np.isin(rows[:, 0], [0, 2, 3])
    assert (rows[empty, 3] == crops.KINDS.index("random")).all() and not np.isfinite(bx[empty]).any()
    skip, sbx = crops.plan(boxes, (120, 160), 64, {**cfg, "unlabelled": "skip"}, np.random.default_rng(0))
    assert sorted(set(skip[:, 0].tolist())) == [1, 4] and np.isfinite(sbx).all()
    assert (skip[:, 3] == crops.KINDS.index("ball")).all()
    with pytest.raises(KickyError, match="crops.unlabelled"):
        crops.plan(boxes, (120, 160), 64, {**cfg, "unlabelled": "drop"}, np.random.default_rng(0))
