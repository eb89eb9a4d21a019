"""Analysis fixtures: oracle detections (simulator truth as Instances) of the shared tiny clips, and
one 640x360 shot with a close camera for MediaPipe."""
from __future__ import annotations

import json

import pytest

from kicky.analysis.evaluate import oracle_detections
from kicky.sim.clip import render_clip
from kicky.sim.config import SimConfig
from kicky.teacher.clips import load_clip


@pytest.fixture(scope="session")
def oracle_clips(sim_clips):
    """{name: (ClipInput, detections)} for every fixture clip."""
    out = {}
    for name, (d, _) in sim_clips.items():
        clip = load_clip(d)
        out[name] = (clip, oracle_detections(clip))
    return out


@pytest.fixture(scope="session")
def shot_640(tmp_path_factory):
    """(ClipInput, detections) of a 640x360 right-footed goal filmed from 8-11 m, one player."""
    w = {k: float(k == "goal") for k in ("goal", "saved", "post", "over", "wide", "no_shot")}
    cfg = SimConfig(width=640, height=360, outcome_weights=w, handheld_prob=0.0, camera_distance_m=[8.0, 11.0],
                    extra_players=[0, 0], keeper_prob=0.0)
    out = tmp_path_factory.mktemp("an640")
    s = render_clip(cfg, 3, 2, out)
    clip = load_clip(out / s["clip_id"])
    assert json.loads((out / s["clip_id"] / "truth.json").read_text())["kind"] == "shot"
    return clip, oracle_detections(clip)
