"""Fixtures shared by the detect / evaluate / infer tests (imported by their conftests; the expensive
ones are memoised here so a run of all three directories builds them once): six oracle-labelled
simulated clips with a built dataset, a tiny trained student (one epoch of 2 batches at 96 px: it
detects little, which is all these tests need), and a short clip."""
from __future__ import annotations

import json
import shutil

import pytest

from tests.helpers import compose_conf

NAMES = ("goal", "saved", "wide", "pass", "dribble", "trap")   # seed 1 puts them in all three splits
_MEMO: dict = {}


def shorten(src, dst, n: int):
    """A copy of simulated clip dir `src` cut to its first `n` frames (clip.mp4 + truth.json)."""
    from kicky.io.video import read_frames, write_mp4
    dst.mkdir(parents=True)
    frames = [f for i, f in read_frames(src / "clip.mp4", range(n))]
    write_mp4(dst / "clip.mp4", frames, 30, 500_000)
    truth = json.loads((src / "truth.json").read_text())
    truth.update(frames=truth["frames"][:n], n_frames=n)
    (dst / "truth.json").write_text(json.dumps(truth))
    return dst


@pytest.fixture(scope="session")
def eval_data(sim_clips, tmp_path_factory):
    """root with clips/ (6 simulated clips), labels/ (oracle teacher) and ds/ (classes3, every split)."""
    if "data" not in _MEMO:
        from kicky.dataset.build import run as build
        from kicky.teacher.label import run as label
        root = tmp_path_factory.mktemp("evdata")
        for n in NAMES:
            shutil.copytree(sim_clips[n][0], root / "clips" / n)
        label(compose_conf("label", ["teacher=oracle", f"clips={root / 'clips'}", f"out={root / 'labels'}",
                                     f"reports={root / 'rep'}", "workers=1"]))
        build(compose_conf("build", [f"labels={root / 'labels'}", f"clips={root / 'clips'}", f"out={root / 'ds'}",
                                     f"reports={root / 'rep'}", "dataset.split.train=0.5", "dataset.split.valid=0.25",
                                     "dataset.split.test=0.25", "dataset.split.seed=1", "dataset.sampling.every=12"]))
        _MEMO["data"] = root
    return _MEMO["data"]


@pytest.fixture(scope="session")
def tiny_run(eval_data, tmp_path_factory):
    if "run" not in _MEMO:
        from kicky.train.run import run as train
        out = tmp_path_factory.mktemp("student") / "run"
        train(compose_conf("train", [f"data={eval_data / 'ds'}", f"out={out}", "model=nano", "res=96", "epochs=1",
                                     "limit_batches=2", "batch_size=2", "logger=none", "run_test=false"]))
        _MEMO["run"] = out
    return _MEMO["run"]


@pytest.fixture(scope="session")
def short_clips(sim_clips, tmp_path_factory):
    """A clip folder with one 4-frame simulated clip."""
    if "short" not in _MEMO:
        root = tmp_path_factory.mktemp("short")
        shorten(sim_clips["goal"][0], root / "clips" / "short_goal", 4)
        _MEMO["short"] = root / "clips"
    return _MEMO["short"]
