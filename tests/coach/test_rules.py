"""The rule-based coach: every flag combination gives four non-empty sections that agree with the
facts (the grounding guard finds nothing to cut), the worst flag is the first fix and its drill the
drill, and nothing unmeasured is praised or stated."""
import itertools
import re

import pytest

from kicky.coach import rules
from kicky.coach.facts import ANGLE_NAMES, Facts
from kicky.coach.guard import Guard
from tests.helpers import angle, report

POSES = [None] + [dict(zip(("knee", "trunk", "hip"), s))
                  for s in itertools.product(("low", "ok", "high"), ("ok", "high"), ("low", "ok", "high"))]


@pytest.mark.parametrize("goal", [True, False])
@pytest.mark.parametrize("foot", ["left", "right", None])
@pytest.mark.parametrize("speed", [80.0, 45.0, None])
def test_every_flag_combination_gives_four_sections_that_agree(rules_conf, goal, foot, speed):
    kb = rules_conf["knowledge"]
    for pose in POSES:
        angles = {k: angle(k, s) for k, s in pose.items()} if pose else None
        facts = Facts.from_report(report(goal, foot, speed, angles, note="" if speed else "no usable ball scale"))
        secs = rules.sections(facts, kb)
        assert [t for t, _ in secs] == ["Verdict", "Fix", "Fix", "Drill"]
        assert all(len(body.strip()) > 20 for _, body in secs)
        text = rules.text(facts, kb)
        g = Guard(facts)
        assert g.feed(text) + g.close() == text and g.cuts == [], (pose, g.cuts)
        verdict = secs[0][1]
        assert ("No goal" in verdict) is (not goal) and ("goal!" in verdict) is goal
        assert (f"{foot} foot" in verdict) if foot else ("foot" not in verdict.split("Good:")[0])
        assert bool(re.search(r"\d+ km/h", text)) is (speed is not None)
        if not pose:
            assert "range" not in text and "angle" not in text           # never praise what was not measured
        if facts.flags:
            worst = facts.flags[0]
            assert ANGLE_NAMES[worst.name] in secs[1][1] and f"{worst.value:.0f} degrees" in secs[1][1]
            assert secs[3][1] == kb["angles"][worst.name][worst.side]["drill"]
        if len(facts.flags) >= 2:
            assert ANGLE_NAMES[facts.flags[1].name] in secs[2][1]
        elif not goal and not facts.flags:
            assert secs[1][1] == kb["outcome"]["over_or_wide"]["fix"]    # the outcome gives the first fix


def test_worst_flag_first_and_slow_shot(rules_conf):
    kb = rules_conf["knowledge"]
    angles = {"knee": {"value": 118.0, "good": [120, 170], "ok": False},     # 2 deg out of 50
              "hip": {"value": 100.0, "good": [20, 80], "ok": False},        # 20 deg out of 60: worse
              "trunk": angle("trunk", "ok")}
    facts = Facts.from_report(report(True, "left", 45.0, angles))
    assert [f.name for f in facts.flags] == ["hip", "knee"]
    secs = rules.sections(facts, kb)
    assert "hip drive" in secs[1][1] and "support knee" in secs[2][1]
    only = Facts.from_report(report(True, "left", 45.0, {"knee": angle("knee", "ok"), "hip": angle("hip", "high")}))
    secs = rules.sections(only, kb)
    assert "hip drive" in secs[1][1] and "45 km/h" in secs[2][1]              # a slow shot fills the second fix
    assert "Good: your support knee was in range" in secs[0][1]


def test_no_shot_is_a_short_honest_message(rules_conf):
    facts = Facts.from_report(report(shot=False))
    text = rules.text(facts, rules_conf["knowledge"])
    assert text.startswith("No shot found in this clip (no kick)") and "Fix" not in text


def test_a_broken_knowledge_table_is_one_clear_error(rules_conf):
    from kicky.errors import KickyError
    kb = {k: v for k, v in rules_conf["knowledge"].items() if k != "angles"}
    facts = Facts.from_report(report(angles={"knee": angle("knee", "low")}))
    with pytest.raises(KickyError, match="coach.knowledge lacks angles.knee.low"):
        rules.sections(facts, kb)
