"""The build stage on oracle labels of simulated clips: rfdetr layout, no clip leak across splits,
COCO json loads in pycocotools, derived classes agree with truth, clear errors on bad input."""
import json
import shutil

import pytest
from pycocotools.coco import COCO

from kicky.dataset.run import run
from kicky.errors import KickyError
from kicky.teacher.run import run as label
from tests.helpers import compose_conf

NAMES = ("goal", "saved", "wide", "pass", "dribble", "trap")


def _conf(name, **over):
    return compose_conf(name, [f"{k}={v}" for k, v in over.items()])


@pytest.fixture(scope="session")
def labelled(sim_clips, tmp_path_factory):
    root = tmp_path_factory.mktemp("ds")
    for n in NAMES:
        shutil.copytree(sim_clips[n][0], root / "clips" / n)
    label(_conf("label", teacher="oracle", clips=root / "clips", out=root / "labels", reports=root / "rep", workers=1))
    return root


def _build(root, dataset, **over):
    conf = _conf("build", dataset=dataset, labels=root / "labels", clips=root / "clips",
                 **{"out": root / dataset, "reports": root / "rep","dataset.split.train": 0.5, "dataset.split.valid": 0.25, "dataset.split.test": 0.25,
                    "dataset.split.seed": 1, **over})
    return conf, run(conf)


def test_classes3_layout_and_no_leak(labelled):
    conf, stats = _build(labelled, "classes3")
    out = labelled / "classes3"
    manifest = json.loads((out / "manifest.json").read_text())
    seen = {}
    for split in ("train", "valid", "test"):
        coco = COCO(str(out / split / "_annotations.coco.json"))
        assert [c["name"] for c in coco.loadCats(coco.getCatIds())] == ["ball", "player", "goal"]
        for img in coco.dataset["images"]:
            assert (out / split / img["file_name"]).is_file()
            assert manifest["splits"][img["clip_id"]] == split
            seen.setdefault(img["clip_id"], set()).add(split)
        for a in coco.dataset["annotations"][:50]:
            m = coco.annToMask(a)
            assert m.sum() == a["area"] and a["iscrowd"] == 0
        assert stats[split]["images"] == len(coco.dataset["images"]) > 0
    assert all(len(s) == 1 for s in seen.values()) and set(seen) == set(NAMES)   # no clip in two splits
    md = (labelled / "rep" / "dataset_classes3.md").read_text()
    assert "| train |" in md and "ball px" in md
    # one process or two: the same files and the same annotation json, ids included
    _build(labelled, "classes3", out=labelled / "serial", workers=1)
    for split in ("train", "valid", "test"):
        a, b = (json.loads((d / split / "_annotations.coco.json").read_text()) for d in (out, labelled / "serial"))
        assert a == b and sorted(p.name for p in (out / split).iterdir()) == sorted(p.name for p in (labelled / "serial" / split).iterdir())


def test_classes5_derived_match_truth(labelled, sim_clips):
    _build(labelled, "classes5")
    out = labelled / "classes5"
    manifest = json.loads((out / "manifest.json").read_text())
    truth = sim_clips["goal"][1]
    coco = COCO(str(out / manifest["splits"]["goal"] / "_annotations.coco.json"))
    cat = {c["name"]: c["id"] for c in coco.dataset["categories"]}
    in_goal, with_ball = set(), set()
    for img in coco.dataset["images"]:
        if img["clip_id"] != "goal":
            continue
        anns = coco.loadAnns(coco.getAnnIds(imgIds=img["id"]))
        if any(a["category_id"] == cat["ball_in_goal"] for a in anns):
            in_goal.add(img["frame"])
        if any(a["category_id"] == cat["player_with_ball"] for a in anns):
            with_ball.add(img["frame"])
        n_ball = sum(a["category_id"] == cat["ball"] for a in anns)
        n_big = sum(a["category_id"] == cat["ball_in_goal"] for a in anns)
        assert n_big <= n_ball                      # accompany: the base ball stays
    frames = {f["index"]: f for f in truth["frames"]}
    # a ball overlapping the goal's image region is in the net or just in front of/behind the frame
    assert in_goal and all(frames[t]["ball"]["in_goal"] or frames[t]["ball"]["depth"] > 0 for t in in_goal)
    rest = max(frames)
    assert frames[rest]["ball"]["in_goal"] and any(t > truth["kick_frame"] for t in in_goal)
    assert not any(t > truth["kick_frame"] + 10 for t in with_ball)   # nobody holds the ball in the net
    dribble = COCO(str(out / manifest["splits"]["dribble"] / "_annotations.coco.json"))
    held = [a for a in dribble.dataset["annotations"] if a["category_id"] == cat["player_with_ball"]
            and dribble.imgs[a["image_id"]]["clip_id"] == "dribble"]
    assert held                                                      # a dribbler keeps the ball at his feet


def test_empty_split_and_corrupt_labels(labelled, tmp_path):
    with pytest.raises(KickyError, match="got no clip"):
        _build(labelled, "classes3", **{"dataset.split.seed": 0, "dataset.split.train": 0.98,
                                        "dataset.split.valid": 0.01, "dataset.split.test": 0.01})
    bad = tmp_path / "labels"
    shutil.copytree(labelled / "labels", bad)
    (bad / "goal" / "labels.json").write_text('{"frames": [[{"class"')
    conf = _conf("build", labels=bad, clips=labelled / "clips", out=tmp_path / "ds", reports=tmp_path / "rep",
                 **{"dataset.split.train": 0.5, "dataset.split.valid": 0.25, "dataset.split.test": 0.25,
                    "dataset.split.seed": 1})
    with pytest.raises(KickyError, match="corrupt label cache"):
        run(conf)
    assert not (tmp_path / "ds").exists()      # nothing half-written
    with pytest.raises(KickyError, match="workers='two': expected a number"):
        run({**conf, "labels": str(labelled / "labels"), "workers": "two"})
    assert not (tmp_path / "ds").exists()
