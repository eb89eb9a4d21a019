"""Teacher fixtures: one clean 640x360 goal clip (tripod, one shooter) for the motion teacher, whose
ball is a few pixels wide — at the suite's 320x180 it would be one or two."""
from __future__ import annotations

import json

import pytest

from kicky.sim.clip import render_clip
from kicky.sim.config import SimConfig


@pytest.fixture(scope="session")
def goal_clip_640(tmp_path_factory):
    w = {k: float(k == "goal") for k in ("goal", "saved", "post", "over", "wide", "no_shot")}
    cfg = SimConfig(width=640, height=360, outcome_weights=w, handheld_prob=0.0, camera_distance_m=[10.0, 16.0],
                    extra_players=[0, 0], keeper_prob=0.0)
    out = tmp_path_factory.mktemp("clip640")
    s = render_clip(cfg, 7, 1, out)
    d = out / s["clip_id"]
    return d, json.loads((d / "truth.json").read_text())
