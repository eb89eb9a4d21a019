"""Chain semantics on truth-derived labels: later backends fill only what earlier ones left empty."""
import numpy as np
import pytest

from kicky.core.clips import ClipInput
from kicky.core.instances import present
from kicky.errors import KickyError
from kicky.teacher.chain import run_chain, still_empty
from kicky.teacher.oracle import OracleBackend

C = ("ball", "player", "goal")


class Blind(OracleBackend):
    """Truth, but blind to `cls` on frames where `blind(t)` holds (a backend with known misses)."""

    def __init__(self, name, cls, blind):
        self.name, self.cls, self.blind = name, cls, blind

    def label(self, clip, classes, todo):
        out = super().label(clip, classes, todo)
        for t, fr in enumerate(out):
            for i in fr:
                i.source = self.name
            out[t] = [i for i in fr if not (i.cls == self.cls and self.blind(t))]
        return out


def _clip(sim_clips, name="goal"):
    d, truth = sim_clips[name]
    return ClipInput(truth["clip_id"], np.zeros((truth["n_frames"], 2, 2, 3), np.uint8), 30, truth)


def test_still_empty_modes():
    found = np.array([[1, 0, 0], [0, 0, 0]], bool)
    assert (still_empty(found, "frame") == ~found).all()
    assert (still_empty(found, "class") == [[0, 1, 1], [0, 1, 1]]).all()
    assert not still_empty(found, "clip").any()
    assert still_empty(np.zeros((2, 3), bool), "clip").all()
    with pytest.raises(KickyError, match="chain mode"):
        still_empty(found, "sometimes")


def test_frame_mode_fills_only_the_holes(sim_clips):
    clip = _clip(sim_clips)
    truth_present = present(OracleBackend().label(clip, C, np.ones((len(clip), 3), bool)), C)
    first = Blind("sam3", "ball", lambda t: True)           # never sees the ball
    second = Blind("locate_anything", "ball", lambda t: t % 2 == 0)   # sees it on odd frames
    labels = run_chain([first, second], clip, C, "frame")
    for t, fr in enumerate(labels):
        balls = [i for i in fr if i.cls == "ball"]
        assert len(balls) == (truth_present[t, 0] and t % 2 == 1)
        assert all(i.source == "locate_anything" for i in balls)
        assert all(i.source == "sam3" for i in fr if i.cls != "ball")   # never duplicated


def test_class_and_clip_modes(sim_clips):
    clip = _clip(sim_clips)
    first = Blind("a", "ball", lambda t: t < 10)   # sees the ball after frame 10
    second = Blind("b", "ball", lambda t: False)
    by_class = run_chain([first, second], clip, C, "class")
    assert not any(i.source == "b" for fr in by_class for i in fr)   # class not empty in the clip
    blind_all = Blind("a", "ball", lambda t: True)
    by_class = run_chain([blind_all, second], clip, C, "class")
    assert {i.source for fr in by_class for i in fr if i.cls == "ball"} == {"b"}
    by_clip = run_chain([blind_all, second], clip, C, "clip")       # clip has players: b never runs
    assert not any(i.cls == "ball" for fr in by_clip for i in fr)


def test_empty_chain_is_an_error(sim_clips):
    with pytest.raises(KickyError, match="empty"):
        run_chain([], _clip(sim_clips), C)
