"""Clip-level splits and derived classes on hand-made masks."""
import numpy as np
import pytest

from kicky.core.instances import Instance
from kicky.dataset.derive import derive
from kicky.dataset.splits import assign, split_of
from kicky.errors import KickyError

R = {"train": 0.7, "valid": 0.15, "test": 0.15}


def test_split_ratios_and_stability():
    ids = [f"clip{i:04d}" for i in range(2000)]
    a = assign(ids, R, seed=3)
    share = {s: sum(v == s for v in a.values()) / len(ids) for s in R}
    assert all(abs(share[s] - R[s]) < 0.03 for s in R), share
    more = assign(ids + [f"new{i}" for i in range(500)], R, seed=3)
    assert all(more[c] == a[c] for c in ids)                 # adding clips moves no clip
    assert assign(ids, R, seed=4) != a                        # the seed matters
    assert split_of("x", {"train": 1, "valid": 0, "test": 0}) == "train"


def test_split_errors():
    with pytest.raises(KickyError, match="got no clip"):
        assign(["a", "b"], R, seed=0)
    with pytest.raises(KickyError, match="ratios"):
        assign(["a"], {"train": 1.0, "valid": -0.1, "test": 0.1})


def _disk(shape, c, r):
    yy, xx = np.mgrid[:shape[0], :shape[1]]
    return (xx - c[0]) ** 2 + (yy - c[1]) ** 2 <= r * r


def _rect(shape, x0, y0, x1, y1):
    m = np.zeros(shape, bool)
    m[y0:y1, x0:x1] = True
    return m


S = (60, 80)


def test_player_with_ball_and_dilation():
    player = Instance("player", _rect(S, 10, 10, 20, 40), 1, "t")
    touching = Instance("ball", _disk(S, (22, 38), 2), 1, "t")            # adjacent columns
    far = Instance("ball", _disk(S, (30, 38), 2), 1, "t")                 # 8 empty columns between
    assert [i.cls for i in derive([player, touching], dilate_px=2)].count("player_with_ball") == 1
    assert [i.cls for i in derive([player, far], dilate_px=2)].count("player_with_ball") == 0
    assert [i.cls for i in derive([player, far], dilate_px=9)].count("player_with_ball") == 1
    assert [i.cls for i in derive([player])] == ["player"]              # no ball: nothing derived


def test_ball_in_goal_rules():
    goal = Instance("goal", _rect(S, 40, 5, 75, 30), 1, "t")
    inside = Instance("ball", _disk(S, (50, 20), 2), 1, "t")
    outside = Instance("ball", _disk(S, (50, 45), 2), 1, "t")
    acc = derive([goal, inside], "accompany")
    assert sorted(i.cls for i in acc) == ["ball", "ball_in_goal", "goal"]
    assert np.array_equal(next(i for i in acc if i.cls == "ball_in_goal").mask, inside.mask)
    rep = derive([goal, inside], "replace")
    assert sorted(i.cls for i in rep) == ["ball_in_goal", "goal"]
    assert sorted(i.cls for i in derive([goal, outside], "replace")) == ["ball", "goal"]
    with pytest.raises(KickyError, match="rule"):
        derive([goal], "merge")
