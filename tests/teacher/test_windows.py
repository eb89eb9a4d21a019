"""Long clips are labelled in windows (teacher.window): every frame from exactly one window, and a
windowed run of the truth-driven oracle gives the very labels of one pass over the whole clip."""
import numpy as np
import pytest

from kicky.core.clips import load_clip
from kicky.teacher.label import teach, windows
from tests.helpers import compose_conf


@pytest.mark.parametrize("n", [1, 59, 60, 61, 150, 241, 1000, 1801])
def test_windows_cover_each_frame_once_and_respect_the_caps(n):
    w = {"seconds": 2, "megapixels": 3, "overlap": 0.5}
    wins = windows(n, 30, (360, 640), w)
    assert wins[0][0] == 0 and wins[-1][1] == n
    longest = min(2 * 30, int(3e6 / (360 * 640)))          # 13 frames by the pixel cap
    assert all(b - a <= longest for a, b in wins) and len({b - a for a, b in wins}) == 1
    assert all(nb[0] <= a[1] - 15 for a, nb in zip(wins, wins[1:])) or longest < 30   # overlap kept
    owned = []
    for k, (a, b) in enumerate(wins):
        lo = a if k == 0 else (wins[k - 1][1] + a) // 2
        hi = b if k == len(wins) - 1 else (b + wins[k + 1][0]) // 2
        owned += range(lo, hi)
    assert owned == list(range(n))
    assert windows(n, 30, (360, 640), None) == [(0, n)]


def _same(a, b):
    assert len(a) == len(b)
    for fa, fb in zip(a, b):
        assert [(i.cls, i.box) for i in fa] == [(i.cls, i.box) for i in fb]
        assert all(np.array_equal(i.mask, j.mask) for i, j in zip(fa, fb))


def test_windowed_oracle_equals_one_pass(sim_clips):
    clip = load_clip(sim_clips["goal"][0], stream=True)
    teacher = compose_conf("label", ["teacher=oracle"])["teacher"]
    classes = ("ball", "player", "goal")
    whole, _, _ = teach(clip, {**teacher, "window": None}, classes)
    parts, _, _ = teach(clip, {**teacher, "window": {"seconds": 1.0, "megapixels": 100, "overlap": 0.3}}, classes)
    assert len(windows(len(clip), clip.fps, clip.shape, {"seconds": 1.0, "megapixels": 100, "overlap": 0.3})) > 3
    _same(whole, parts)
    assert sum(i.cls == "ball" for f in parts for i in f) > 0
