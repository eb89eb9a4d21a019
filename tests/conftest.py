"""Shared fixtures: a handful of tiny simulated clips, one per outcome and non-shot kind."""
from __future__ import annotations

import json
import os

import numpy as np
import pytest

os.environ.setdefault("WANDB_MODE", "offline")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from kicky.sim.config import SimConfig  # noqa: E402
from kicky.sim.scenario import sample  # noqa: E402

TEST_SIZE = dict(width=320, height=180)
SHOT_OUTCOMES = ("goal", "saved", "post", "over", "wide")
NON_SHOT_KINDS = ("pass", "dribble", "trap")


def config_for(outcome: str, **kw) -> SimConfig:
    weights = {k: float(k == outcome) for k in (*SHOT_OUTCOMES, "no_shot")}
    return SimConfig(**{**TEST_SIZE, **kw}, outcome_weights=weights)


def find_seed(cfg: SimConfig, want_kind: str | None = None, start: int = 0) -> int:
    """First clip index whose scenario has the wanted kind (scenario sampling only, no rendering)."""
    for i in range(start, start + 200):
        if want_kind is None or sample(cfg, np.random.default_rng([7, i])).kind == want_kind:
            return i
    raise AssertionError(f"no {want_kind} clip in 200 tries")


def render_close_goal(out, seed: int, index: int, distance_m: list[float]):
    """A 640x360 goal clip on a tripod, one shooter, no keeper: (clip dir, truth)."""
    from kicky.sim.clip import render_clip
    cfg = SimConfig(width=640, height=360, outcome_weights={k: float(k == "goal") for k in (*SHOT_OUTCOMES, "no_shot")},
                    handheld_prob=0.0, camera_distance_m=distance_m, extra_players=[0, 0], keeper_prob=0.0)
    s = render_clip(cfg, seed, index, out)
    d = out / s["clip_id"]
    return d, json.loads((d / "truth.json").read_text())


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
