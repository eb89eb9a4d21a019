from __future__ import annotations

import json

import numpy as np

from kicky.sim.clip import render_clip
from kicky.sim.config import SimConfig
from kicky.sim.scenario import sample


def test_same_seed_gives_identical_truth(tmp_path):
    cfg = SimConfig(width=160, height=90)
    render_clip(cfg, 3, 1, tmp_path / "a")
    render_clip(cfg, 3, 1, tmp_path / "b")
    render_clip(cfg, 3, 2, tmp_path / "c")
    a = (tmp_path / "a/sim3_00001/truth.json").read_text()
    assert a == (tmp_path / "b/sim3_00001/truth.json").read_text()
    assert json.loads(a)["ball_path"] != json.loads((tmp_path / "c/sim3_00002/truth.json").read_text())["ball_path"]


def test_clip_does_not_depend_on_render_size():
    """The story (outcome, kick, speed) is the same at any resolution; only pixels change."""
    a = sample(SimConfig(width=320, height=180), np.random.default_rng([5, 4]))
    b = sample(SimConfig(width=1920, height=1080), np.random.default_rng([5, 4]))
    assert (a.outcome, a.kick_frame, a.foot, a.speed_kmh) == (b.outcome, b.kick_frame, b.foot, b.speed_kmh)


def test_dataclass_defaults_are_the_default_config():
    """conf/sim/default.yaml and SimConfig() are one set of defaults (issue 18: they had drifted)."""
    from pathlib import Path

    import yaml
    conf = yaml.safe_load((Path(__file__).parents[2] / "conf/sim/default.yaml").read_text())
    assert SimConfig.from_dict(conf) == SimConfig()
