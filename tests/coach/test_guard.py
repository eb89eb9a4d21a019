"""The grounding guard cuts a streamed sentence that contradicts the facts and puts the measured
fact in its place, however the text is split into pieces."""
import pytest

from kicky.coach.facts import Facts
from kicky.coach.guard import Guard
from tests.helpers import report


def run(facts, pieces):
    g = Guard(facts)
    out = "".join(g.feed(p) for p in pieces) + g.close()
    return out, g.cuts


@pytest.mark.parametrize("text,kind,fact", [
    ("**Verdict:** What a goal! Keep it up.", "goal", "The measured result: no goal (over or wide)."),
    ("You scored with a fine strike.", "goal", "The measured result: no goal (over or wide)."),
    ("You struck it with your right foot.", "foot", "The measured kicking foot: left."),
    ("That left-footed strike was quick.", None, None),
    ("It flew at 120 km/h.", "speed", "The measured shot speed: 52 km/h."),
    ("It flew at 55 km/h.", None, None),
    ("It flew at 45 mph.", "speed", "The measured shot speed: 52 km/h."),      # 72 km/h
    ("Aim for the corner of the goal next time.", None, None),
    ("No goal this time, but a good effort.", None, None),
])
def test_contradictions_of_a_miss_are_cut(text, kind, fact):
    facts = Facts.from_report(report(goal=False, foot="left", speed=52.0))
    for split in (1, 3, 7, len(text)):
        out, cuts = run(facts, [text[i:i + split] for i in range(0, len(text), split)])
        if kind is None:
            assert out == text and cuts == []
        else:
            assert [c["kind"] for c in cuts] == [kind] and fact in out
            assert cuts[0]["said"] in text


def test_a_goal_called_a_miss_and_unmeasured_things():
    goal = Facts.from_report(report(goal=True, foot=None, speed=None, note="above 140 km/h, not measured reliably"))
    out, cuts = run(goal, ["**Verdict:** Unlucky, no goal.", " You hit it with your left foot at 150 km/h.\n",
                           "**Fix:** Plant your foot."])
    assert [c["kind"] for c in cuts] == ["goal", "foot"]
    assert out.startswith("**Verdict:** The measured result: GOAL. ")          # the section title is kept
    assert "The kicking foot was not measured." in out and out.endswith("**Fix:** Plant your foot.")
    out, cuts = run(goal, ["It went 150 km/h."])
    assert cuts[0]["kind"] == "speed" and out == "Shot speed: above 140 km/h, not measured reliably."
