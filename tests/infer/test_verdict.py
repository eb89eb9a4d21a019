"""What infer prints and draws comes from the report's own fields (issue 17, item 2): a kick without a
found shot prints no outcome and no speed; a speed at the cap is not shown as a measurement."""
from kicky.analysis.analyse import speed_note
from kicky.analysis.report import ShotReport
from kicky.infer.annotate import panel_lines, summary


def _report(**kw) -> dict:
    return ShotReport(**kw).to_json()


def test_kick_without_a_found_shot_prints_no_outcome():
    rep = _report(shot_found=False, kick_frame=40, goal_reason="never_reached_goal", speed_kmh=140.0,
                  message="no player")
    line = summary(rep)
    assert line == "no shot found (no player)"
    assert "km/h" not in line and "NO GOAL" not in line
    assert all("km/h" not in s and "GOAL" not in s for s in panel_lines(rep, 60))


def test_found_shot_prints_its_fields():
    rep = _report(shot_found=True, kick_frame=40, goal=True, shooter="P1", speed_kmh=87.4, kicking_foot="left")
    assert summary(rep) == "GOAL, P1, 87 km/h, left foot"
    assert "speed 87 km/h" in panel_lines(rep, 60)


def test_speed_at_the_cap_is_not_a_measurement():
    note = speed_note(140.0, 140.0)
    assert note == "above 140 km/h, not measured reliably"
    rep = _report(shot_found=True, kick_frame=40, speed_kmh=140.0, speed_note=note, goal_reason="over_or_wide")
    line = summary(rep)
    assert note in line and "140 km/h" not in line.replace(note, "")
    assert speed_note(None, 140.0).startswith("no usable ball scale") and speed_note(95.0, 140.0) == ""
