"""Shared fixtures (session-scoped, built once per run): a handful of tiny simulated clips, one per outcome
and non-shot kind; six of them oracle-labelled with a built dataset; a tiny trained student (one epoch of
2 batches at 96 px: it detects little, which is all its tests need); a short clip."""
from __future__ import annotations

import json
import os
import shutil

import pytest

os.environ.setdefault("WANDB_MODE", "offline")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from tests.helpers import NAMES, NON_SHOT_KINDS, SHOT_OUTCOMES, compose_conf, config_for, find_seed, shorten  # noqa: E402


@pytest.fixture(scope="session")
def sim_clips(tmp_path_factory):
    """{name: (clip_dir, truth)} for every shot outcome and every non-shot kind, rendered at 320x180."""
    from kicky.sim.clip import render_clip

    out = tmp_path_factory.mktemp("clips")
    clips = {}
    for outcome in SHOT_OUTCOMES:
        cfg = config_for(outcome)
        s = render_clip(cfg, 7, find_seed(cfg), out / outcome)
        clips[outcome] = out / outcome / s["clip_id"]
    cfg = config_for("no_shot")
    for kind in NON_SHOT_KINDS:
        s = render_clip(cfg, 7, find_seed(cfg, kind), out / kind)
        clips[kind] = out / kind / s["clip_id"]
    return {k: (d, json.loads((d / "truth.json").read_text())) for k, d in clips.items()}


@pytest.fixture(scope="session")
def eval_data(sim_clips, tmp_path_factory):
    """root with clips/ (6 simulated clips), labels/ (oracle teacher) and ds/ (classes3, every split)."""
    from kicky.dataset.run import run as build
    from kicky.teacher.run import run as label
    root = tmp_path_factory.mktemp("evdata")
    for n in NAMES:
        shutil.copytree(sim_clips[n][0], root / "clips" / n)
    label(compose_conf("label", ["teacher=oracle", f"clips={root / 'clips'}", f"out={root / 'labels'}",
                                 f"reports={root / 'rep'}", "workers=1"]))
    build(compose_conf("build", [f"labels={root / 'labels'}", f"clips={root / 'clips'}", f"out={root / 'ds'}",
                                 f"reports={root / 'rep'}", "dataset.split.train=0.5", "dataset.split.valid=0.25",
                                 "dataset.split.test=0.25", "dataset.split.seed=1", "dataset.sampling.every=12"]))
    return root


@pytest.fixture(scope="session")
def tiny_run(eval_data, tmp_path_factory):
    from kicky.train.run import run as train
    out = tmp_path_factory.mktemp("student") / "run"
    train(compose_conf("train", [f"data={eval_data / 'ds'}", f"out={out}", "model=nano", "res=96", "epochs=1",
                                 "limit_batches=2", "batch_size=2", "logger=none", "run_test=false"]))
    return out


@pytest.fixture(scope="session")
def short_clips(sim_clips, tmp_path_factory):
    """A clip folder with one 4-frame simulated clip."""
    root = tmp_path_factory.mktemp("short")
    shorten(sim_clips["goal"][0], root / "clips" / "short_goal", 4)
    return root / "clips"
