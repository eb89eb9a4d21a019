"""Your own labels as the truth: simulated clips whose truth is rewritten as the goal annotator's
JSON give exactly the truth-based goal, balanced and leg accuracy for the same detections; unsure
clips are left out and counted; detection AP is not measured."""
import json

from kicky.evaluate.run import run
from tests.helpers import compose_conf


def test_annotations_give_the_truth_based_scores(eval_data, tmp_path):
    clips = eval_data / "clips"
    labels = {}
    for d in sorted(clips.iterdir()):
        t = json.loads((d / "truth.json").read_text())
        row = {"goal": "goal" if t["outcome"] == "goal" else "no_goal"}
        if t["kind"] == "shot":
            row.update(foot=t["kicking_foot"], kick_frame=t["kick_frame"])
        labels[d.name] = row
    ann = tmp_path / "annotations.json"
    ann.write_text(json.dumps({"version": 1, "clips": labels}))
    src = f"+sources.teacher={{kind: labels, path: '{eval_data / 'labels'}'}}"
    base = ["~sources.motion", "~sources.student", src, f"clips={clips}", f"plots={tmp_path / 'plots'}",
            f"out={tmp_path / 'run'}", "pose=false", "logger.name=none"]
    sim = run(compose_conf("evaluate", base + [f"data={eval_data / 'ds'}", f"metrics={tmp_path / 'm1'}"]))
    human = run(compose_conf("evaluate", base + ["~sources.oracle", "truth=annotations", f"annotations={ann}",
                                                 f"metrics={tmp_path / 'm2'}"]))
    a, b = sim["sources"]["teacher"]["downstream"]["overall"], human["sources"]["teacher"]["downstream"]
    for k in ("n", "n_goals", "goal_acc", "goal_balanced_acc", "goal_precision", "goal_recall", "foot_acc"):
        assert a[k] == b[k], k
    assert human["detection"] == "not measured" and human["n_unsure"] == 0
    assert "Detection AP: not measured" in (tmp_path / "m2" / "eval_human.md").read_text()
    # an unsure clip is left out and counted
    first = sorted(labels)[0]
    labels[first] = {"goal": "unsure"}
    ann.write_text(json.dumps({"version": 1, "clips": labels}))
    again = run(compose_conf("evaluate", base + ["~sources.oracle", "truth=annotations", f"annotations={ann}",
                                                 f"metrics={tmp_path / 'm3'}"]))
    assert again["n_unsure"] == 1 and again["sources"]["teacher"]["downstream"]["n"] == a["n"] - 1
