"""Analysis fixtures: oracle detections (simulator truth as Instances) of the shared tiny clips, and
one 640x360 shot with a close camera for MediaPipe."""
from __future__ import annotations

import pytest

from kicky.core.clips import load_clip
from kicky.core.domain import CLASSES
from kicky.core.truth import truth_instances
from tests.helpers import render_close_goal


def oracle_detections(clip) -> list:
    return truth_instances(clip, CLASSES)


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
    d, truth = render_close_goal(tmp_path_factory.mktemp("an640"), 3, 2, [8.0, 11.0])
    assert truth["kind"] == "shot"
    clip = load_clip(d)
    return clip, oracle_detections(clip)
