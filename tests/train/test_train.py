"""Training on CPU at the smallest settings: a real rfdetr run on simulated images writes checkpoints,
per-class AP for every class and a W&B offline run; resume continues from the saved epoch; bad
overrides fail with one clear line."""
import json
import os
import subprocess
import sys

import pytest

from kicky.errors import KickyError
from kicky.train.run import run as train
from kicky.train.sizes import check_res
from tests.helpers import compose_conf

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
CLASSES = ["ball", "player", "goal"]


_conf = compose_conf


def _train(dataset, out, *over):
    return train(_conf("train", [f"data={dataset}", f"out={out}", "model=nano", "res=96", "limit_batches=2",
                                 "batch_size=2", *over]))


def test_tiny_run_resume_and_wandb(dataset, tmp_path):
    out = tmp_path / "run"
    _train(dataset, out, "epochs=1", "logger=wandb")
    for f in ("last.ckpt", "checkpoint_best_total.pth", "metrics.json", "metrics.csv", "per_class_ap.md",
              "per_class_ap.png", "config.yaml"):
        assert (out / f).is_file(), f
    m = json.loads((out / "metrics.json").read_text())
    assert m["epochs_done"] == 1 and m["classes"] == CLASSES
    assert set(m["valid_last"]["per_class_ap"]) == set(CLASSES)
    assert all(isinstance(v, float) for v in m["valid_last"]["per_class_ap"].values())
    assert set(m["test"]["per_class_ap"]) == set(CLASSES)
    # rfdetr's CSV log and our history hold the same per-class numbers
    csv = (out / "metrics.csv").read_text().splitlines()
    head, rows = csv[0].split(","), [r.split(",") for r in csv[1:]]
    col = head.index("val/AP/ball")
    assert [float(r[col]) for r in rows if r[col]] == [m["history"][0]["val/AP/ball"]]
    # W&B offline run with the per-class AP series and the final table
    runs = list((out / "wandb").glob("offline-run-*"))
    assert len(runs) == 1
    blob = next(runs[0].glob("*.wandb")).read_bytes()
    for key in (b"val/AP/ball", b"val/AP/goal", b"val/mAP_50_95", b"train/loss", b"per_class_ap_table"):
        assert key in blob, key

    with pytest.raises(KickyError, match="already holds a run"):
        _train(dataset, out, "epochs=2", "logger=none")
    _train(dataset, out, "epochs=2", "logger=none", "resume=true")
    m = json.loads((out / "metrics.json").read_text())
    assert [r["epoch"] for r in m["history"]] == [0, 1]           # epoch 0 kept, only epoch 1 trained


def test_resume_without_run_is_clear(dataset, tmp_path):
    with pytest.raises(KickyError, match="nothing to resume"):
        _train(dataset, tmp_path / "none", "resume=true")


def test_res_validation():
    assert check_res({"name": "nano", "block": 12}, 96) == 96
    with pytest.raises(KickyError, match="nearest valid: 624 or 648"):
        check_res({"name": "large", "block": 24}, 640)


@pytest.mark.parametrize("over, expect", [
    ("res=333", "res=333 is not valid for model=small: rfdetr needs a multiple of 24"),
    ("model=huge", "Could not find 'model/huge'"),
    ("precision=fp8", "precision='fp8'"),
])
def test_bad_overrides_fail_clearly(over, expect, tmp_path):
    p = subprocess.run([sys.executable, "train.py", over, f"hydra.run.dir={tmp_path}"], cwd=ROOT,
                       capture_output=True, text=True, timeout=300)
    assert p.returncode != 0
    assert expect in p.stderr
    assert "Traceback" not in p.stderr


def test_missing_dataset_is_clear(tmp_path):
    with pytest.raises(KickyError, match="build it first"):
        _train(tmp_path / "nope", tmp_path / "run")


def test_corrupt_dataset_is_clear(tmp_path):
    for split in ("train", "valid", "test"):
        (tmp_path / "ds" / split).mkdir(parents=True)
        (tmp_path / "ds" / split / "_annotations.coco.json").write_text("{not json")
    with pytest.raises(KickyError, match="unreadable dataset .* rebuild it"):
        _train(tmp_path / "ds", tmp_path / "run")
    assert not (tmp_path / "run").exists()


def test_missing_weights_is_clear(dataset, tmp_path):
    with pytest.raises(KickyError, match="does not exist: put an RF-DETR-Seg nano checkpoint"):
        _train(dataset, tmp_path / "run", f"pretrain_weights={tmp_path / 'w.pth'}")


def test_max_minutes_stops_training_early(dataset, tmp_path):
    """A time box: with max_minutes far below one epoch the run stops after its first step, still
    writing its metrics; a non-positive value is refused."""
    with pytest.raises(KickyError, match="max_minutes"):
        _train(dataset, tmp_path / "bad", "max_minutes=0", "logger=none")
    out = tmp_path / "boxed"
    _train(dataset, out, "epochs=3", "max_minutes=0.0001", "logger=none", "run_test=false")
    m = json.loads((out / "metrics.json").read_text())
    assert m["epochs_done"] < 3 and (out / "last.ckpt").is_file()


def test_profiles_say_where_the_time_goes(dataset, tmp_path):
    """profile=pytorch writes the top operators of a few training steps and the step's GPU-busy share;
    profile=simple writes Lightning's time per hook; another name is refused before any work."""
    _train(dataset, tmp_path / "ops", "epochs=1", "logger=none", "run_test=false", "profile=pytorch")
    ops = (tmp_path / "ops" / "profile_ops.txt").read_text()
    assert "training steps profiled: wall" in ops and "## by host (self CPU) time" in ops
    assert "aten::" in ops                                     # real operator rows, not an empty table
    _train(dataset, tmp_path / "hooks", "epochs=1", "logger=none", "run_test=false", "profile=simple")
    hooks = next((tmp_path / "hooks").glob("*profile_hooks*.txt")).read_text()
    assert "run_training_batch" in hooks
    with pytest.raises(KickyError, match="profile='gprof': use one of simple, pytorch"):
        _train(dataset, tmp_path / "bad", "profile=gprof")
    assert not (tmp_path / "bad").exists()
