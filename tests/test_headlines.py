"""DVC as its users read it: each stage's metrics file is its headline (a few figures a user compares
across experiments), the detail stays in plain outputs; plots are flat rows with x / y fields."""
from pathlib import Path

import yaml

from kicky.evaluate import plots, table
from kicky.teacher.report import headline as label_headline
from kicky.train.report import headline as train_headline, history_plot

ROOT = Path(__file__).resolve().parents[1]


def leaves(o) -> int:
    if isinstance(o, dict):
        return sum(leaves(v) for v in o.values())
    if isinstance(o, list):
        return sum(leaves(v) for v in o)
    return 1


def _source(test_n: int, ball_ap: float, goal: float) -> dict:
    ap = lambda v: {"AP": v, "AP50": v, "per_class": {"ball": {"AP": v, "AP50": v}, "player": {"AP": 0.5, "AP50": 0.6}},  # noqa: E731
                    "pr": {"ball": {"recall": [0.0, 0.5], "precision": [1.0, 0.4]},
                           "player": {"recall": [0.1], "precision": [0.9]}}}
    down = lambda n, g: {"n": n, "goal_acc": g, "goal_balanced_acc": g / 2, "foot_acc": 0.7, "pose_capture": 1.0,  # noqa: E731
                         "speed_err_median": 0.1, "speed_err_p90": 0.3}
    return {"detection": {sp: {"images": 5, "bbox": ap(ball_ap), "segm": ap(ball_ap)} for sp in ("test", "overall")},
            "downstream": {"test": down(test_n, goal), "overall": down(9, 0.25)}, "throughput": {"x_realtime": 12.0}}


def test_eval_headline_is_the_test_split_figures_per_source():
    ev = {"n_clips": 9, "classes": ["ball", "player"],
          "sources": {"oracle": _source(3, 1.0, 1.0), "student": _source(0, 0.2, 0.5)}}
    h = table.headline_figures(ev)
    o, s = h["sources"]["oracle"], h["sources"]["student"]
    assert o["split"] == "test" and o["ball_AP"] == 1.0 and o["goal_acc"] == 1.0 and o["goal_balanced_acc"] == 0.5
    assert s["split"] == "overall" and s["goal_acc"] == 0.25    # no scored test clip: every clip
    assert o["foot_acc"] == 0.7 and o["x_realtime"] == 12.0 and "speed_err_p90" not in o
    assert leaves(h) <= 10 * len(ev["sources"]) + 1
    pr = plots.pr_rows(ev, "overall")
    assert {"source", "class", "recall", "precision"} == set(pr[0]) and len(pr) == 2 * 3
    assert plots.ap_rows(ev, "overall")[0] == {"source": "oracle", "class": "ball", "segm_AP": 1.0, "bbox_AP": 1.0}


def test_label_headline_drops_the_per_clip_detail():
    result = {"clips": 3, "noball_clips": ["a", "b"], "per_clip": {c: {"ball": {"frames": 9}} for c in "abc"},
              "coverage": {"ball": {"frames": 30, "covered": 12, "coverage": 0.4, "by_source": {"motion": 12}}},
              "quality": {"motion": {"ball": {"precision": 0.5, "recall": 0.25, "iou": 0.6, "labels": 8, "truth": 16}}}}
    h = label_headline(result)
    assert h == {"clips": 3, "noball_clips": 2, "coverage": {"ball": 0.4},
                 "quality": {"motion": {"ball": {"precision": 0.5, "recall": 0.25, "iou": 0.6}}}}


def test_train_headline_and_history_rows():
    hist = [{"epoch": 0, "val/mAP_50_95": 0.1, "note": "x", "flag": True}, {"epoch": 1, "val/mAP_50_95": 0.2}]
    m = {"model": "nano", "res": 192, "epochs_done": 2, "history": hist,
         "valid_best": {"epoch": 1, "mAP_50_95": 0.2, "mAP_50": 0.3, "per_class_ap": {"ball": 0.0}},
         "test": {"mAP_50_95": 0.15, "mAP_50": 0.25, "per_class_ap": {"ball": 0.05}},
         "throughput": {"images_per_s_mean_after_first": 40.0}}
    h = train_headline(m)
    assert h["valid_best"]["mAP_50_95"] == 0.2 and h["test"]["per_class_ap"] == {"ball": 0.05}
    assert h["images_per_s"] == 40.0 and "history" not in h
    assert history_plot(hist) == [{"epoch": 0, "val/mAP_50_95": 0.1}, {"epoch": 1, "val/mAP_50_95": 0.2}]


def test_dvc_metrics_are_the_headlines_and_the_detail_is_plain_output():
    stages = yaml.safe_load((ROOT / "dvc.yaml").read_text())
    metrics = {name: [next(iter(m)) if isinstance(m, dict) else m for m in st.get("metrics", [])]
               for name, st in stages["stages"].items()}
    assert metrics["label"] == ["metrics/label_headline.json"]
    assert metrics["train"] == ["metrics/train_headline.json"]
    assert metrics["evaluate"] == ["metrics/eval_headline.json"]
    outs = lambda st: [next(iter(o)) if isinstance(o, dict) else o for o in stages["stages"][st]["outs"]]  # noqa: E731
    assert "metrics/eval.json" in outs("evaluate") and "metrics/label.json" in outs("label")
    plotted = [next(iter(p)) if isinstance(p, dict) else p for p in stages["plots"]]
    assert "plots/train_history.json" in plotted and "plots/eval_pr.json" in plotted
