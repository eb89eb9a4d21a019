"""Teacher fixtures: one clean 640x360 goal clip (tripod, one shooter) for the motion teacher, whose
ball is a few pixels wide — at the suite's 320x180 it would be one or two."""
from __future__ import annotations

import pytest

from tests.helpers import render_close_goal


@pytest.fixture(scope="session")
def goal_clip_640(tmp_path_factory):
    return render_close_goal(tmp_path_factory.mktemp("clip640"), 7, 1, [10.0, 16.0])
