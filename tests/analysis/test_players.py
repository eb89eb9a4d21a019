"""Player identities and the shooter: a player passing behind another one keeps his id, two players
crossing do not swap, and a ball flying past a player after the kick is no touch."""
from __future__ import annotations

import numpy as np

from kicky.analysis import players, possession
from kicky.analysis.config import settings
from kicky.core.instances import Instance

CFG = settings()["players"]


def _det(box) -> Instance:
    return Instance("player", np.zeros((1, 1), bool), 1.0, "test", tuple(float(v) for v in box))


def _ids(rows: list[dict[str, Instance]], box_x0: dict[int, float]) -> set[str]:
    """The ids given to the detections whose left edge is box_x0[t] in frame t."""
    return {k for t, x0 in box_x0.items() for k, d in rows[t].items() if d.box[0] == x0}


def test_a_player_passing_behind_another_keeps_his_id():
    """P runs right at 8 px/frame behind a standing player S: half hidden for 3 frames (only a
    sliver of his legs, then only his head and shoulders), unseen for 2, then whole again."""
    frames, runner = [], {}
    for t in range(30):
        x0 = 100.0 + 8 * t
        box = [x0, 200.0, x0 + 30, 270.0]
        if t == 12:
            box = [x0 + 24, 240.0, x0 + 30, 270.0]      # a sliver of his legs
        elif t in (13, 14):
            box = [x0, 200.0, x0 + 30, 222.0]           # head and shoulders over S's
        dets = [_det([200, 190, 245, 290])]             # S stands in front, nearer the camera
        if t not in (15, 16):
            dets.append(_det(box))
            runner[t] = box[0]
        frames.append(dets)
    rows = players.track_players(frames, CFG)
    assert len(_ids(rows, runner)) == 1
    assert {k for r in rows for k in r} == {"P1", "P2"}


def test_two_players_crossing_keep_their_ids():
    frames, a, b = [], {}, {}
    for t in range(30):
        xa, xb = 100.0 + 6 * t, 280.0 - 6 * t          # they meet at t = 15
        frames.append([_det([xa, 200, xa + 30, 270]), _det([xb + 0.5, 205, xb + 30.5, 275])])
        a[t], b[t] = xa, xb + 0.5
    rows = players.track_players(frames, CFG)
    ia, ib = _ids(rows, a), _ids(rows, b)
    assert len(ia) == 1 and len(ib) == 1 and ia != ib


def test_shooter_is_the_last_touch_up_to_the_kick_not_a_player_the_ball_flies_past():
    owner = [None] * 20
    owner[5:10] = ["P1"] * 5                 # P1 dribbles up to the kick at frame 10
    owner[11] = "P2"                         # the ball flies across P2's mask a frame later
    assert possession.shooter(owner, None, [], 10, 15, 0.6) == "P1"
    owner = [None] * 20
    owner[11] = "P3"                         # only the frame after: a kick found a frame early
    assert possession.shooter(owner, None, [], 10, 15, 0.6) == "P3"
