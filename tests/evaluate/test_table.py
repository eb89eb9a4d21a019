"""metrics/eval.md from hand-built scores: the goal balanced accuracy / precision / recall columns sit
next to goal accuracy, in the headline and per split, and the goal calls by true outcome per detector."""
from __future__ import annotations

from kicky.analysis import summarise
from kicky.evaluate.table import markdown
from tests.analysis.test_scoring import MIXED, TRUTH, rows_for


def _ev() -> dict:
    thr = {"frames": 10, "detect_fps": None, "analysis_fps": 100.0, "analysis_x_realtime": 3.0, "x_realtime": None}
    src = lambda preds: {"kind": "truth", "path": None, "detection": {}, "throughput": thr,  # noqa: E731
                         "downstream": {"test": summarise(rows_for(preds)), "overall": summarise(rows_for(preds))}}
    return {"clips": "clips", "n_clips": 10, "classes": [], "machine": "test box",
            "sources": {"mixed": src(MIXED), "blind": src([False] * len(TRUTH))}}


def test_eval_md_has_the_goal_figures_and_the_calls_by_outcome():
    md = markdown(_ev())
    assert "| detector | goal acc | goal bal. acc | goal precision | goal recall | leg acc |" in md
    assert "| mixed | 70.0 % | 69.0 % | 50.0 % | 66.7 % | 0.0 % |" in md
    assert "| blind | 70.0 % | 50.0 % | - | 0.0 % |" in md
    assert "| detector | split | clips | shots | goals | goal acc | goal bal. acc | goal precision | goal recall |" in md
    assert "| blind | test | 10 | 8 | 3 | 70.0 % | 50.0 % | - | 0.0 % |" in md
    assert "| detector | goal | saved | post | over | wide | no_shot |" in md
    assert "| mixed | 2 / 1 | 1 / 1 | 0 / 1 | 1 / 0 | 0 / 1 | 0 / 2 |" in md
    assert "| blind | 0 / 3 | 0 / 2 | 0 / 1 | 0 / 1 | 0 / 1 | 0 / 2 |" in md
