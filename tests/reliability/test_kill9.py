"""Issue 17, item 4: `kill -9` anywhere loses at most the clip (or epoch) in progress.

For each stage (label, build, evaluate, train, detect) the real command line runs as its own process
group on a few tiny simulated clips; once it has finished at least one unit of work (a clip's file, an
epoch's checkpoint: the file system is polled) the whole group gets SIGKILL mid-way. Then: no process
of it survives; nothing half-written lies where a reader takes it for finished output; the same
command again exits 0, does not redo the units finished before the kill (their files' inode / mtime,
or recorded timings, are those of the killed run) and ends with the output of an uninterrupted run
(computed here, in-process, into another folder)."""
from __future__ import annotations

import filecmp
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.reliability.test_processes import _alive

ROOT = Path(__file__).resolve().parents[2]
CONF = ROOT / "conf"
N_CLIPS = 4
SPLIT = ["dataset.split.train=0.5", "dataset.split.valid=0.25", "dataset.split.test=0.25"]
# the smallest student the train tests use, one batch of one image per epoch, no multi-scale (CPU: seconds);
# no augmentation: albumentations draws from its own unseeded generators, so seed= cannot make two runs alike
TINY_TRAIN = ["model=nano", "res=96", "limit_batches=1", "batch_size=1", "logger=none", "run_test=false",
              "speed.multi_scale=false", "dataset.augment.enabled=false", "epochs=2"]


def _conf(name: str, overrides: list[str]) -> dict:
    from hydra import compose, initialize_config_dir
    from omegaconf import OmegaConf
    with initialize_config_dir(str(CONF), version_base="1.3"):
        cfg = compose(name, overrides=overrides)
    return OmegaConf.to_container(cfg, resolve=True)


# --- processes ---------------------------------------------------------------------------------------

def _stat(pid: int) -> tuple[int, str, int] | None:
    """(parent pid, state, start time) of a process, None once it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return int(fields[1]), fields[0], int(fields[19])


def _tree(pid: int) -> list[tuple[int, int]]:
    """(pid, start time) of every process below `pid`, found by parent id (so also one that left the
    process group)."""
    kids: dict[int, list[tuple[int, int]]] = {}
    for d in os.listdir("/proc"):
        st = _stat(int(d)) if d.isdigit() else None
        if st is not None:
            kids.setdefault(st[0], []).append((int(d), st[2]))
    out, todo = [], list(kids.get(pid, []))
    while todo:
        p = todo.pop()
        out.append(p)
        todo += kids.get(p[0], [])
    return out


def _survivors(tree: list[tuple[int, int]]) -> list[int]:
    """Those of `tree` still running: alive (test_processes._alive), not a zombie, and the same process
    (its start time), not a new one that got the number."""
    left = []
    for pid, start in tree:
        try:
            alive = _alive(pid)
        except OSError:    # gone between the signal probe and reading its stat
            alive = False
        st = _stat(pid)
        if alive and st is not None and st[2] == start:
            left.append(pid)
    return left


def _env() -> dict:
    return {**os.environ, "WANDB_MODE": "offline", "HF_HUB_OFFLINE": "1", "PYTHONUNBUFFERED": "1"}


def _cmd(args: list[str], tmp: Path) -> list[str]:
    return [sys.executable, *args, f"hydra.run.dir={tmp / 'hydra'}"]


def _kill_when(args: list[str], tmp: Path, ready, timeout: float, what: str) -> list[tuple[int, int]]:
    """Start the command in its own session; once `ready()` holds, SIGKILL its whole process group
    while it is still running; assert no process of its tree survives. Returns the processes it had
    started (workers, multiprocessing's resource tracker)."""
    log = tmp / f"killed_{len(list(tmp.glob('killed_*')))}.log"
    with open(log, "w") as f:
        p = subprocess.Popen(_cmd(args, tmp), cwd=ROOT, stdout=f, stderr=subprocess.STDOUT, env=_env(),
                             start_new_session=True)
    deadline = time.time() + timeout
    try:
        while not ready():
            if p.poll() is not None:
                pytest.fail(f"{what}: the command ended (rc {p.returncode}) before it was killed:\n{log.read_text()[-3000:]}")
            if time.time() > deadline:
                pytest.fail(f"{what}: no finished unit of work after {timeout} s:\n{log.read_text()[-3000:]}")
            time.sleep(0.02)
        if p.poll() is not None:
            pytest.fail(f"{what}: the command had finished (rc {p.returncode}) when its first unit appeared")
        tree = _tree(p.pid)            # its workers (the stage itself is p: waited for below)
        os.killpg(p.pid, signal.SIGKILL)
        p.wait(timeout=30)
    finally:
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()
    deadline = time.time() + 5
    while time.time() < deadline and _survivors(tree):
        time.sleep(0.1)
    assert not _survivors(tree), f"{what}: processes {_survivors(tree)} survived kill -9 of their group"
    return tree


def _rerun(args: list[str], tmp: Path, timeout: float = 300) -> str:
    r = subprocess.run(_cmd(args, tmp), cwd=ROOT, capture_output=True, text=True, env=_env(), timeout=timeout)
    assert r.returncode == 0, f"rerun after kill -9 failed (rc {r.returncode}):\n{r.stdout[-2000:]}\n{r.stderr[-3000:]}"
    assert "Traceback" not in r.stderr, r.stderr
    return r.stdout + r.stderr


# --- files ------------------------------------------------------------------------------------------

def _visible(root: Path) -> list[str]:
    """Files under `root` a reader sees (no part of the path hidden: temp files and staging folders are)."""
    return sorted(str(p.relative_to(root)) for p in root.rglob("*")
                  if p.is_file() and not any(x.startswith(".") for x in p.relative_to(root).parts))


def _hidden(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*")
                  if p.is_file() and any(x.startswith(".") for x in p.relative_to(root).parts))


def _stamp(p: Path) -> tuple[int, int, int]:
    st = p.stat()
    return st.st_ino, st.st_mtime_ns, st.st_size


def _same_tree(a: Path, b: Path) -> None:
    """`a` and `b` hold the same visible files, byte for byte."""
    assert _visible(a) == _visible(b), (a, b)
    differ = [f for f in _visible(a) if not filecmp.cmp(a / f, b / f, shallow=False)]
    assert not differ, f"differ from the uninterrupted run: {differ[:5]}"


# --- inputs -----------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """N_CLIPS simulated 320x180 clips, their oracle labels and a classes3 dataset (every 4th frame),
    made in-process by the uninterrupted stages: the references of the kill tests and their inputs."""
    from kicky.dataset.run import run as build
    from kicky.dataset.splits import SPLITS, split_of
    from kicky.sim.clip import render_clip
    from kicky.sim.config import SimConfig
    from kicky.teacher.run import run as label

    root = tmp_path_factory.mktemp("kill9")
    cfg = SimConfig(width=320, height=180)
    ids = [render_clip(cfg, 17, i, root / "clips")["clip_id"] for i in range(N_CLIPS)]
    ratios = {"train": 0.5, "valid": 0.25, "test": 0.25}
    seed = next(s for s in range(200) if {split_of(c, ratios, s) for c in ids} == set(SPLITS))
    w = {"root": root, "clips": root / "clips", "ids": ids, "split": [*SPLIT, f"dataset.split.seed={seed}"]}
    w["label_args"] = ["teacher=oracle", f"clips={w['clips']}", "workers=2"]
    label(_conf("label", [*w["label_args"], f"out={root / 'ref_labels'}", f"reports={root / 'ref_label_rep'}"]))
    w["build_args"] = [f"labels={root / 'ref_labels'}", f"clips={w['clips']}", *w["split"],
                       "dataset.sampling.every=4", "workers=2"]
    build(_conf("build", [*w["build_args"], f"out={root / 'ref_ds'}", f"reports={root / 'ref_ds_rep'}"]))
    return w


@pytest.fixture(scope="module")
def trained(world):
    """An uninterrupted two-epoch tiny training run (the reference of the train test, the detector of
    the detect test)."""
    from kicky.train.run import run as train
    out = world["root"] / "ref_run"
    train(_conf("train", [f"data={world['root'] / 'ref_ds'}", f"out={out}", *TINY_TRAIN]))
    return out


# --- the stages -------------------------------------------------------------------------------------

def test_label_resumes_after_kill_9(world, tmp_path):
    from kicky.core.store import read_labels
    out, rep = tmp_path / "labels", tmp_path / "rep"
    args = ["-m", "kicky.teacher", *world["label_args"], f"out={out}", f"reports={rep}"]
    workers = _kill_when(args, tmp_path, lambda: any(out.glob("*/labels.json")), 120, "label")
    assert len(workers) >= 2                                  # the pool's two workers were there, and are gone
    done = {p.parent.name: _stamp(p) for p in out.glob("*/labels.json")}
    assert 0 < len(done) < N_CLIPS, done
    # nothing half-written where a reader looks: each labels.json whole, no reports yet
    for p in out.glob("*/labels.json"):
        read_labels(p)
    assert not (out / "noball_clips.json").exists() and not rep.exists()
    assert all(Path(h).name.startswith(".labels.json.") for h in _hidden(out)), _hidden(out)

    log = _rerun(args, tmp_path)
    assert f"{len(done)}/{N_CLIPS} clips already labelled" in log
    assert {c: _stamp(out / c / "labels.json") for c in done} == done        # not labelled again
    _same_tree(out, world["root"] / "ref_labels")
    _same_tree(rep, world["root"] / "ref_label_rep")


def test_build_resumes_after_kill_9(world, tmp_path):
    out, rep = tmp_path / "ds", tmp_path / "rep"
    parts, PART = tmp_path / ".ds.parts", "part.json"   # each clip built here first (kicky.dataset.build)
    args = ["-m", "kicky.dataset", *world["build_args"], f"out={out}", f"reports={rep}"]
    workers = _kill_when(args, tmp_path, lambda: any(parts.glob(f"*/{PART}")), 120, "build")
    assert len(workers) >= 2
    finished = [p.parent for p in parts.glob(f"*/{PART}")]
    assert 0 < len(finished) < N_CLIPS, finished
    # the dataset folder appears only when complete; a finished clip's part is whole
    assert not out.exists() and not rep.exists()
    stamps = {}
    for d in finished:
        doc = json.loads((d / PART).read_text())
        assert doc["images"] and all((d / im["file_name"]).is_file() for im in doc["images"])
        stamps.update({im["file_name"]: _stamp(d / im["file_name"])[1:] for im in doc["images"]})

    log = _rerun(args, tmp_path)
    assert f"{len(finished)}/{N_CLIPS} clips already built" in log
    ref = world["root"] / "ref_ds"
    manifest = json.loads((out / "manifest.json").read_text())["splits"]
    again = {f: _stamp(out / manifest[f.rsplit("_", 1)[0]] / f)[1:] for f in stamps}
    assert again == stamps                                                       # their JPEGs not written again
    _same_tree(out, ref)
    _same_tree(rep, world["root"] / "ref_ds_rep")
    assert not parts.exists()                                                    # the parts go with success


def _no_timing(ev: dict) -> dict:
    """eval.json without what measures this machine's speed (analysis seconds)."""
    ev = json.loads(json.dumps(ev))
    for s in ev["sources"].values():
        s.pop("throughput")
    return ev


def test_evaluate_resumes_after_kill_9(world, tmp_path):
    from kicky.evaluate.run import run as evaluate
    root = world["root"]
    common = ["~sources.student", f"sources.motion.path={root / 'ref_labels'}", f"clips={world['clips']}",
              f"data={root / 'ref_ds'}", "pose=false", "logger.name=none"]
    ref = tmp_path / "ref"
    evaluate(_conf("evaluate", [*common, f"metrics={ref / 'metrics'}", f"plots={ref / 'plots'}", f"out={ref / 'out'}"]))
    metrics, plots, out = tmp_path / "metrics", tmp_path / "plots", tmp_path / "out"
    args = ["evaluate.py", *common, f"metrics={metrics}", f"plots={plots}", f"out={out}"]
    journal = metrics / ".eval_resume"
    _kill_when(args, tmp_path, lambda: any(journal.glob("*/*.json")), 120, "evaluate")
    entries = {p.stem: json.loads(p.read_text()) for p in journal.glob("*/*.json")}
    assert 0 < len(entries) < N_CLIPS, list(entries)
    assert _visible(metrics) == [] and not plots.exists() and not (out / "eval_full.json").exists()

    log = _rerun(args, tmp_path)
    assert f"{len(entries)}/{N_CLIPS} clips already evaluated" in log
    rows = json.loads((out / "eval_full.json").read_text())["rows"]
    for name, src_rows in rows.items():       # a clip analysed again would have measured its own seconds
        kept = {r["clip"]: r["analysis_s"] for r in src_rows if r["clip"] in entries}
        assert kept == {c: e["sources"][name]["row"]["analysis_s"] for c, e in entries.items()}, name
    assert _no_timing(json.loads((metrics / "eval.json").read_text())) == \
        _no_timing(json.loads((ref / "metrics" / "eval.json").read_text()))
    assert (metrics / "eval.md").is_file() and sorted(os.listdir(plots)) == sorted(os.listdir(ref / "plots"))
    assert not journal.exists()


TIMING = ("train_seconds", "images_per_s", "images_per_s_steady", "gpu_util_mean", "gpu_mem_peak_gb")


def _epoch_values(row: dict) -> dict:
    return {k: v for k, v in row.items() if k not in TIMING}


def test_train_resumes_after_kill_9(world, trained, tmp_path):
    import yaml
    from kicky.io.checkpoint import checked
    run = tmp_path / "run"
    args = ["train.py", f"data={world['root'] / 'ref_ds'}", f"out={run}", *TINY_TRAIN]
    _kill_when(args, tmp_path, lambda: (run / "last.ckpt").is_file(), 400, "train")
    checked(run / "last.ckpt", "torn")                                            # a whole checkpoint
    before = json.loads((run / "history.json").read_text())
    assert [r["epoch"] for r in before] == [0]
    assert not (run / "metrics.json").exists() and not (run / "checkpoint_best_total.pth").exists()

    # the same command refuses to start over a run (one line naming the way on); resume=true continues it
    r = subprocess.run(_cmd(args, tmp_path), cwd=ROOT, capture_output=True, text=True, env=_env(), timeout=300)
    assert r.returncode == 2 and "resume=true continues it" in r.stderr, r.stderr
    _rerun([*args, "resume=true"], tmp_path, timeout=400)
    after = json.loads((run / "metrics.json").read_text())
    ref = json.loads((trained / "metrics.json").read_text())
    assert [r["epoch"] for r in after["history"]] == [0, 1]
    assert after["history"][0] == before[0]                                       # epoch 0 not trained again
    assert _epoch_values(after["history"][0]) == _epoch_values(ref["history"][0])  # ... and the reference's
    assert set(after["history"][1]) == set(ref["history"][1])
    assert after["epochs_done"] == ref["epochs_done"] == 2 and after["classes"] == ref["classes"]
    assert _visible(run) == _visible(trained)
    cfg = [yaml.safe_load((d / "config.yaml").read_text()) for d in (run, trained)]
    assert [{k: v for k, v in c.items() if k not in ("out", "resume")} for c in cfg][0] == \
        {k: v for k, v in cfg[1].items() if k not in ("out", "resume")}
    checked(run / "checkpoint_best_total.pth", "torn")


DETECT_TIMING = ("seconds", "fps", "wall_seconds", "tile_seconds")


def _detections(path: Path) -> dict:
    doc = json.loads(path.read_text())
    doc["detector"] = {k: v for k, v in doc["detector"].items() if k not in DETECT_TIMING}
    return doc


def test_detect_resumes_after_kill_9(world, trained, tmp_path):
    from kicky.detect.run import run as detect
    from tests.helpers import shorten
    clips = tmp_path / "clips"
    for c in world["ids"][:3]:
        shorten(world["clips"] / c, clips / c, 5)
    common = [f"run={trained}", f"clips={clips}", "device=cpu", "batch=5", "threshold=0.05"]
    ref = tmp_path / "ref"
    detect(_conf("detect", [*common, f"out={ref}"]))
    out = tmp_path / "det"
    args = ["-m", "kicky.detect", *common, f"out={out}"]
    _kill_when(args, tmp_path, lambda: any(out.glob("*/labels.json")), 300, "detect")
    done = {p.parent.name: _stamp(p) for p in out.glob("*/labels.json")}
    assert 0 < len(done) < 3, done
    assert not (out / "detect.json").exists()
    for p in out.glob("*/labels.json"):
        json.loads(p.read_text())

    log = _rerun(args, tmp_path)
    assert f"{len(done)}/3 clips already detected" in log
    assert {c: _stamp(out / c / "labels.json") for c in done} == done
    assert _visible(out) == _visible(ref)
    for f in _visible(out):
        if f.endswith("labels.json"):
            assert _detections(out / f) == _detections(ref / f), f
    summary = [json.loads((d / "detect.json").read_text()) for d in (out, ref)]
    for s in summary:
        for k in ("seconds", "fps", "tile_seconds"):
            s.pop(k)
    assert summary[0] == summary[1]


def test_train_killed_before_its_first_checkpoint_starts_again(tmp_path):
    """Killed between the epoch monitor's history.json and Lightning's last.ckpt of epoch 0 (it writes
    them in that order): no epoch was kept, so the same command starts again instead of refusing a
    run that resume=true cannot continue; a run with a checkpoint or finished is still refused."""
    from kicky.errors import KickyError
    from kicky.train.run import check_run_dir
    run = tmp_path / "run"
    run.mkdir()
    (run / "history.json").write_text('[{"epoch": 0}]')
    assert check_run_dir(run, resume=False) is None
    with pytest.raises(KickyError, match="nothing to resume"):
        check_run_dir(run, resume=True)
    (run / "metrics.json").write_text("{}")
    with pytest.raises(KickyError, match="already holds a run"):
        check_run_dir(run, resume=False)
