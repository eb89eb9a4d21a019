"""The label stage end to end with the oracle teacher (exact, fast): per-clip cache, resume,
coverage equal to truth, noball_clips.json, quality = 1 against truth, clear config errors."""
import json
import os
import shutil
import subprocess
import sys

import pytest

from kicky.core.store import read_labels
from tests.helpers import compose_conf
from kicky.errors import KickyError
from kicky.teacher.run import run

CONF = os.path.join(os.path.dirname(__file__), "..", "..", "conf")


def _conf(**over):
    return compose_conf("label", [f"{k}={v}" for k, v in over.items()])


@pytest.fixture
def clip_set(sim_clips, tmp_path):
    """Two clips; the second with its ball erased from the truth (so the oracle finds no ball)."""
    root = tmp_path / "clips"
    for name in ("goal", "pass"):
        shutil.copytree(sim_clips[name][0], root / name)
    noball = root / "pass" / "truth.json"
    t = json.loads(noball.read_text())
    for fr in t["frames"]:
        fr["instances"] = [i for i in fr["instances"] if i["class"] != "ball"]
    noball.write_text(json.dumps(t))
    return root, "goal", "pass"


def test_oracle_labels_coverage_and_resume(clip_set, tmp_path):
    root, goal_id, noball_id = clip_set
    conf = _conf(teacher="oracle", clips=root, out=tmp_path / "labels", reports=tmp_path / "rep", workers=1)
    res = run(conf)
    truth = json.loads((root / goal_id / "truth.json").read_text())
    head, labels = read_labels(tmp_path / "labels" / goal_id / "labels.json")
    assert len(labels) == truth["n_frames"] == head["n_frames"]
    for fr, tf in zip(labels, truth["frames"]):
        assert sorted(i.cls for i in fr) == sorted(i["class"] for i in tf["instances"])
    n_ball = sum(any(i["class"] == "ball" for i in f["instances"]) for f in truth["frames"])
    assert res["per_clip"][goal_id]["ball"]["covered"] == n_ball
    assert res["per_clip"][goal_id]["ball"]["by_source"] == {"oracle": n_ball}
    assert res["noball_clips"] == [noball_id]
    assert json.loads((tmp_path / "labels" / "noball_clips.json").read_text()) == [noball_id]
    q = res["quality"]["oracle"]
    assert all(q[c]["precision"] == q[c]["recall"] == 1.0 for c in ("ball", "player", "goal"))
    md = (tmp_path / "rep" / "label.md").read_text()
    assert all(f"| oracle | {c} | 1.000 | 1.000 | 1.000 |" in md for c in ("ball", "player", "goal"))
    # rerun: nothing relabelled; a changed config relabels
    stamp = (tmp_path / "labels" / goal_id / "labels.json").stat().st_mtime_ns
    import kicky.teacher.label as label_mod
    label_mod._chain.clear()
    real, label_mod.build_chain = label_mod.build_chain, None    # all cached: no model is built or needed
    try:
        run(conf)
    finally:
        label_mod.build_chain = real
    assert (tmp_path / "labels" / goal_id / "labels.json").stat().st_mtime_ns == stamp
    run({**conf, "teacher": {**conf["teacher"], "mode": "class"}})
    assert (tmp_path / "labels" / goal_id / "labels.json").stat().st_mtime_ns != stamp


def test_partial_write_is_relabelled(clip_set, tmp_path):
    root, goal_id, _ = clip_set
    conf = _conf(teacher="oracle", clips=root, out=tmp_path / "labels", reports=tmp_path / "rep", workers=1)
    (tmp_path / "labels" / goal_id).mkdir(parents=True)
    (tmp_path / "labels" / goal_id / "labels.json").write_text('{"frames": [[{"cla')   # a torn file
    run(conf)
    assert read_labels(tmp_path / "labels" / goal_id / "labels.json")[0]["clip_id"] == goal_id
    (tmp_path / "labels" / goal_id / "labels.json").write_text("{}")
    with pytest.raises(KickyError, match="corrupt label cache"):
        read_labels(tmp_path / "labels" / goal_id / "labels.json")


@pytest.mark.parametrize("override,message", [
    ("teacher.mode=sometimes", "teacher.mode"),
    ("teacher.chain=[]", "chain is empty"),
    ("teacher.chain=[yolo]", "unknown teacher backend 'yolo'"),
    ("clips=/nonexistent/clips", "clip folder not found"),
    ("workers=0", "workers=0 is out of range"),
    # the window and agreement settings, before any clip (a float window was a TypeError traceback
    # from the agreement filter; px=abc and enabled=maybe were taken silently)
    ("teacher.agreement.window=2.5", "teacher.agreement.window=2.5: expected a whole number"),
    ("teacher.agreement.px=abc", "teacher.agreement.px='abc': expected a number"),
    ("teacher.agreement.enabled=maybe", "teacher.agreement.enabled='maybe': expected true or false"),
    ("teacher.agreement.with=[nope]", "unknown backend 'nope'"),
    ("+teacher.agreement.pxx=3", "teacher.agreement.pxx: unknown setting"),
    ("teacher.window.seconds=abc", "teacher.window.seconds='abc': expected a number"),
    ("teacher.window.overlap=-1", "teacher.window.overlap=-1.0 is out of range"),
])
def test_bad_config_one_clear_line(override, message, tmp_path):
    r = subprocess.run([sys.executable, "-m", "kicky.teacher", "teacher=oracle", override,
                        f"out={tmp_path}/labels", f"reports={tmp_path}/rep", f"hydra.run.dir={tmp_path}/h"],
                       capture_output=True, text=True, cwd=os.path.join(CONF, ".."))
    assert r.returncode == 2, r.stderr
    assert r.stderr.strip().startswith("error:") and message in r.stderr and "Traceback" not in r.stderr
    assert not (tmp_path / "labels").exists()


def test_missing_sam3_weights_names_the_place(clip_set, tmp_path):
    root, *_ = clip_set
    conf = _conf(teacher="sam3_locate", clips=root, out=tmp_path / "labels", reports=tmp_path / "rep",
                 workers=1, **{"teacher.backends.sam3.weights": tmp_path / "nowhere"})
    with pytest.raises(KickyError, match="nowhere"):
        run(conf)
    assert not (tmp_path / "labels").exists()


def test_staging_folders_are_not_clips(clip_set):
    """A killed sim leaves `.<clip>.*` staging folders with a clip.mp4 inside: never a clip."""
    from kicky.core.clips import find_clips
    root, goal_id, _ = clip_set
    shutil.copytree(root / goal_id, root / f".{goal_id}.abc123")
    assert [p.name for p in find_clips(root)] == sorted(["goal", "pass"])
