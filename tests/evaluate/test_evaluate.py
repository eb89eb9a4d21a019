"""The evaluate stage on six simulated clips: the truth COCO holds one annotation per truth
instance; simulator truth as a source scores AP 1.0 on every class; a degraded labels source scores
less; the tables have a row per source and split; plots, eval.json and an offline W&B run appear;
missing sources fail with one line naming the stage that makes them."""
import json

import pytest

from kicky.core import store
from kicky.core.store import read_labels
from kicky.errors import KickyError
from kicky.evaluate.run import run
from kicky.evaluate.truth_coco import dataset_images, truth_gt
from tests.helpers import NAMES, compose_conf


def test_truth_coco_one_annotation_per_instance(eval_data):
    images, splits, classes = dataset_images(eval_data / "ds")
    assert classes == ["ball", "player", "goal"] and set(splits) == set(NAMES)
    assert {im["split"] for im in images} == {"train", "valid", "test"}
    assert len({im["id"] for im in images}) == len(images)
    truths = {n: json.loads((eval_data / "clips" / n / "truth.json").read_text()) for n in NAMES}
    gt = truth_gt(images, truths, classes)
    want = sum(len(truths[im["clip_id"]]["frames"][im["frame"]]["instances"]) for im in images)
    assert len(gt["annotations"]) == want > 0
    a = gt["annotations"][0]
    assert a["iscrowd"] == 0 and a["category_id"] in (0, 1, 2) and a["segmentation"]["counts"]


def _degraded(eval_data, out):
    """The oracle labels with every other ball and the goal of every third frame dropped, scores lowered."""
    for n in NAMES:
        header, labels = read_labels(eval_data / "labels" / n / "labels.json")
        kept = []
        for t, fr in enumerate(labels):
            row = [i for i in fr if not (i.cls == "ball" and t % 2) and not (i.cls == "goal" and t % 3 == 0)]
            for i in row:
                i.score = 0.5
            kept.append(row)
        store.write(out, n, {"fingerprint": "x", "source": "degraded", "fps": header["fps"],
                             "detector": {"seconds": 1.0, "frames": len(kept)}}, kept)
    return out


def test_evaluate_oracle_is_perfect_and_tables_have_every_source(eval_data, tmp_path):
    deg = _degraded(eval_data, tmp_path / "degraded")
    conf = compose_conf("evaluate", [
        "~sources.motion", "~sources.student", f"+sources.teacher={{kind: labels, path: '{eval_data / 'labels'}'}}",
        f"+sources.degraded={{kind: labels, path: '{deg}'}}", f"clips={eval_data / 'clips'}",
        f"data={eval_data / 'ds'}", f"metrics={tmp_path / 'metrics'}", f"plots={tmp_path / 'plots'}",
        f"out={tmp_path / 'run'}", "pose=false"])
    ev = run(conf)
    saved = json.loads((tmp_path / "metrics" / "eval.json").read_text())
    assert list(saved["sources"]) == ["oracle", "teacher", "degraded"]
    for split, det in saved["sources"]["oracle"]["detection"].items():
        for kind in ("bbox", "segm"):
            assert det[kind]["AP"] == 1.0, (split, kind)
            for c, v in det[kind]["per_class"].items():
                assert v["AP"] in (1.0, None) and v["AP50"] in (1.0, None), (split, kind, c)
        assert "pr" not in det["segm"]                                 # curves go to plots, not metrics
    assert all(v["AP"] == 1.0 for v in saved["sources"]["oracle"]["detection"]["overall"]["segm"]["per_class"].values())
    d = saved["sources"]["degraded"]["detection"]["overall"]["segm"]["per_class"]
    assert d["ball"]["AP"] < 1.0 and d["goal"]["AP"] < 1.0 and d["player"]["AP"] == 1.0
    # downstream: every split, clip counts from the manifest; the degraded source's own timing
    manifest = json.loads((eval_data / "ds" / "manifest.json").read_text())["splits"]
    ds = saved["sources"]["oracle"]["downstream"]
    assert ds["overall"]["n"] == 6 and all(ds[s]["n"] == list(manifest.values()).count(s) for s in ("train", "valid", "test"))
    assert ds["overall"]["goal_acc"] is not None and ds["overall"]["pose_capture"] is None   # pose=false: not measured
    assert ds["overall"]["foot_acc"] is not None      # ... but the run-up foot needs no pose
    o = ds["overall"]   # one goal, a save, a wide shot, three non-shots: the oracle calls each right
    assert o["goal_balanced_acc"] == o["goal_precision"] == o["goal_recall"] == 1.0 and o["n_goals"] == 1
    assert {k: (v["pred_goal"], v["pred_no_goal"]) for k, v in o["outcomes"].items()} == {
        "goal": (1, 0), "saved": (0, 1), "post": (0, 0), "over": (0, 0), "wide": (0, 1), "no_shot": (0, 3)}
    t = saved["sources"]["degraded"]["throughput"]
    assert t["detect_fps"] == pytest.approx(sum(len(json.loads((deg / n / "labels.json").read_text())["frames"])
                                                for n in NAMES) / 6.0, rel=0.01)
    assert t["x_realtime"] > 0 and saved["sources"]["oracle"]["throughput"]["detect_fps"] is None
    md = (tmp_path / "metrics" / "eval.md").read_text()
    for name in ("oracle", "teacher", "degraded"):
        assert f"| {name} | " in md and f"| {name} | test |" in md
    assert "goal acc" in md and "x real-time" in md and "ball segm AP" in md
    assert "| goal acc | goal bal. acc | goal precision | goal recall |" in md
    assert "| oracle | 100.0 % | 100.0 % | 100.0 % | 100.0 % |" in md
    assert "| oracle | 1 / 0 | 0 / 1 | 0 / 0 | 0 / 0 | 0 / 1 | 0 / 3 |" in md
    for p in ("eval_per_class_ap.png", "eval_pr_oracle.png", "eval_pr_teacher.png", "eval_pr_degraded.png"):
        assert (tmp_path / "plots" / p).stat().st_size > 1000, p
    assert ev["sources"]["degraded"]["detection"]["overall"]["segm"]["pr"]["ball"]["recall"]
    runs = list((tmp_path / "run" / "wandb").glob("offline-run-*"))
    assert len(runs) == 1
    blob = next(runs[0].glob("*.wandb")).read_bytes()
    assert b"eval_table" in blob and b"per_class_ap_table" in blob


def test_missing_source_names_its_stage(eval_data, tmp_path):
    conf = compose_conf("evaluate", [f"clips={eval_data / 'clips'}", f"data={eval_data / 'ds'}",
                                     f"sources.motion.path={tmp_path / 'nolabels'}", f"out={tmp_path}"])
    with pytest.raises(KickyError, match=r"source motion: .*nolabels not found: run the label stage"):
        run(conf)
    conf["sources"] = {"student": conf["sources"]["student"] | {"path": str(tmp_path)}}
    with pytest.raises(KickyError, match=r"source student: no labels for 6 clip\(s\).*python -m kicky.detect"):
        run(conf)
    with pytest.raises(KickyError, match="no built dataset .* run `python -m kicky.dataset`"):
        run({**conf, "data": str(tmp_path / "nods")})


def test_student_source_end_to_end(short_clips, tiny_run, tmp_path):
    """The detect stage's caches as an evaluation source, on a 4-frame clip and a dataset of its frames
    (the tiny student detects little: this checks the plumbing and the fields, not accuracy)."""
    from kicky.dataset.run import run as build
    from kicky.detect.run import run as detect
    from kicky.teacher.run import run as label
    label(compose_conf("label", ["teacher=oracle", f"clips={short_clips}", f"out={tmp_path / 'labels'}",
                                 f"reports={tmp_path / 'rep'}", "workers=1"]))
    build(compose_conf("build", [f"labels={tmp_path / 'labels'}", f"clips={short_clips}", f"out={tmp_path / 'ds'}",
                                 f"reports={tmp_path / 'rep'}", "dataset.split.train=1", "dataset.split.valid=0",
                                 "dataset.split.test=0", "dataset.sampling.every=1"]))
    detect(compose_conf("detect", [f"run={tiny_run}", f"clips={short_clips}", "device=cpu", "threshold=0.05",
                                   f"out={tmp_path / 'det'}", "batch=4"]))
    ev = run(compose_conf("evaluate", [
        "~sources.motion", f"sources.student.path={tmp_path / 'det'}",
        f"clips={short_clips}", f"data={tmp_path / 'ds'}", "logger.name=none",
        f"metrics={tmp_path / 'm'}", f"plots={tmp_path / 'p'}", f"out={tmp_path / 'run'}", "pose=false"]))
    s = ev["sources"]["student"]
    assert s["throughput"]["detect_fps"] > 0 and s["throughput"]["x_realtime"] > 0
    assert s["detection"]["overall"]["images"] == 4 and s["detection"]["valid"]["images"] == 0
    assert 0.0 <= s["detection"]["overall"]["segm"]["AP"] <= 1.0
    assert ev["sources"]["oracle"]["detection"]["overall"]["segm"]["AP"] == 1.0
    assert s["downstream"]["overall"]["n"] == 1 and s["downstream"]["test"]["n"] == 0


def test_splits_keep_only_the_held_out_clips(eval_data, tmp_path):
    """splits=[test]: only the test clips are analysed and only their frames scored."""
    test_ids = {c for c, s in json.loads((eval_data / "ds" / "manifest.json").read_text())["splits"].items()
                if s == "test"}
    ev = run(compose_conf("evaluate", [
        "~sources.motion", "~sources.student", f"clips={eval_data / 'clips'}", f"data={eval_data / 'ds'}",
        "splits=[test]", "logger.name=none", f"metrics={tmp_path / 'm'}", f"plots={tmp_path / 'p'}",
        f"out={tmp_path / 'run'}", "pose=false"]))
    s = ev["sources"]["oracle"]
    assert ev["n_clips"] == len(test_ids) == s["downstream"]["overall"]["n"] == s["downstream"]["test"]["n"] > 0
    assert s["downstream"]["train"]["n"] == 0 and s["detection"]["train"]["images"] == 0
    assert s["detection"]["train"]["segm"]["AP"] is None and s["detection"]["test"]["segm"]["AP"] == 1.0
    assert "| oracle | train |" not in (tmp_path / "m" / "eval.md").read_text()
    with pytest.raises(KickyError, match="splits must be"):
        run(compose_conf("evaluate", ["~sources.motion", "~sources.student", f"clips={eval_data / 'clips'}",
                                      f"data={eval_data / 'ds'}", "splits=[holdout]", "logger.name=none",
                                      f"metrics={tmp_path / 'm2'}", f"out={tmp_path / 'run2'}", "pose=false"]))
    assert not (tmp_path / "m2").exists()
