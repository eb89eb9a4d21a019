"""Goal figures against hand-counted truth: precision / recall / balanced accuracy with "goal" as the
positive class, None where undefined, and the goal calls by true outcome; the benchmark table (the
evaluation with no dataset, kicky analyse) shows them."""
from __future__ import annotations

import pytest

from kicky.analysis import ShotReport, score_report, summarise
from kicky.evaluate.table import by_input as table

# ten clips: 3 goals, 2 saved, 1 post / over / wide, 2 non-shots
TRUTH = ["goal", "goal", "goal", "saved", "saved", "post", "over", "wide", "no_shot", "no_shot"]
# a mixed detector: 2 of 3 goals found, a save and the shot over called goal
MIXED = [True, True, False, True, False, False, True, False, False, False]


def _truth(i: int, outcome: str) -> dict:
    if outcome == "no_shot":
        return {"clip_id": f"c{i}", "kind": "pass", "outcome": "no_shot", "is_goal": False}
    return {"clip_id": f"c{i}", "kind": "shot", "outcome": outcome, "is_goal": outcome == "goal",
            "kicking_foot": "right", "shooter": "P1", "speed_kmh": 80.0, "kick_frame": 10}


def rows_for(preds: list[bool]) -> list[dict]:
    return [score_report(ShotReport(goal=p), _truth(i, o)) for i, (o, p) in enumerate(zip(TRUTH, preds))]


def test_always_no_goal_scores_half_balanced_accuracy_and_no_recall():
    s = summarise(rows_for([False] * len(TRUTH)))
    assert s["goal_acc"] == pytest.approx(0.7)          # accuracy alone looks fine ...
    assert s["goal_balanced_acc"] == 0.5 and s["goal_recall"] == 0.0   # ... these say it finds no goal
    assert s["goal_precision"] is None                  # no predicted goal: undefined, not 0 or 1
    assert s["n_goals"] == 3
    assert s["outcomes"]["goal"] == {"pred_goal": 0, "pred_no_goal": 3}


def test_always_goal_scores_half_balanced_accuracy_and_full_recall():
    s = summarise(rows_for([True] * len(TRUTH)))
    assert s["goal_balanced_acc"] == 0.5 and s["goal_recall"] == 1.0
    assert s["goal_precision"] == pytest.approx(0.3) and s["goal_acc"] == pytest.approx(0.3)


def test_perfect_detector_scores_one():
    s = summarise(rows_for([o == "goal" for o in TRUTH]))
    assert s["goal_acc"] == s["goal_balanced_acc"] == s["goal_precision"] == s["goal_recall"] == 1.0


def test_mixed_detector_hand_counted():
    # TP 2 (goals 1, 2), FN 1 (goal 3), FP 2 (a save, the over), TN 5
    s = summarise(rows_for(MIXED))
    assert s["goal_acc"] == pytest.approx(7 / 10)
    assert s["goal_precision"] == pytest.approx(2 / 4)
    assert s["goal_recall"] == pytest.approx(2 / 3)
    assert s["goal_balanced_acc"] == pytest.approx((2 / 3 + 5 / 7) / 2)
    g, n = "pred_goal", "pred_no_goal"
    assert s["outcomes"] == {"goal": {g: 2, n: 1}, "saved": {g: 1, n: 1}, "post": {g: 0, n: 1},
                             "over": {g: 1, n: 0}, "wide": {g: 0, n: 1}, "no_shot": {g: 0, n: 2}}
    assert list(s["outcomes"]) == ["goal", "saved", "post", "over", "wide", "no_shot"]
    assert {"goal_acc", "foot_acc", "pose_capture", "speed_err_median", "speed_err_p90", "n", "n_shots"} <= set(s)


def test_undefined_figures_are_none():
    no_goals = summarise(rows_for(MIXED)[3:])           # no true goal: recall and balanced accuracy undefined
    assert no_goals["goal_recall"] is None and no_goals["goal_balanced_acc"] is None
    assert no_goals["goal_precision"] == 0.0            # two goals called, both wrong
    empty = summarise([])
    assert empty["goal_precision"] is None and empty["goal_recall"] is None and empty["goal_balanced_acc"] is None
    assert all(c == {"pred_goal": 0, "pred_no_goal": 0} for c in empty["outcomes"].values())


def test_benchmark_table_shows_the_goal_figures_and_calls_by_outcome():
    md = table({"oracle": rows_for(MIXED), "blind": rows_for([False] * len(TRUTH))})
    assert "| input | n | goal acc | goal bal. acc | goal precision | goal recall | foot acc |" in md
    assert "| oracle | 10 | 70.0 % | 69.0 % | 50.0 % | 66.7 % |" in md
    assert "| blind | 10 | 70.0 % | 50.0 % | - | 0.0 % |" in md
    assert "| input | goal | saved | post | over | wide | no_shot |" in md
    assert "| oracle | 2 / 1 | 1 / 1 | 0 / 1 | 1 / 0 | 0 / 1 | 0 / 2 |" in md
    assert "| blind | 0 / 3 | 0 / 2 | 0 / 1 | 0 / 1 | 0 / 1 | 0 / 2 |" in md
