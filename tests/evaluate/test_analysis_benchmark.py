"""The analysis benchmark is the evaluation with no dataset (conf/analyse.yaml, `kicky analyse`):
simulator truth as detections, clean and degraded (sources of kind degraded), a known lens, clips in
parallel; no detection AP."""
from __future__ import annotations

import shutil

import pytest

from kicky.errors import KickyError
from kicky.evaluate.run import run as evaluate
from kicky.evaluate.sources import Source, sources
from tests.helpers import compose_conf

FAST = "analysis.pose.enabled=false"


def _conf(clips, out, *over):
    return compose_conf("analyse", [f"clips={clips}", f"metrics={out}", f"plots={out}", f"out={out}", *over])


def test_analysis_benchmark_with_a_known_lens(sim_clips, tmp_path):
    """known_lens=true: each clip's own focal length replaces the prior and the run says so; the shot
    clip gets a speed error either way."""
    from kicky.analysis.config import lens_settings
    d, truth = sim_clips["goal"]
    a = lens_settings({"speed": {"method": "depth"}}, truth)
    assert a["speed"] == {"method": "depth", "focal_frac": truth["camera"]["K"][0][0] / truth["width"]}
    for lens in ("false", "true"):
        res = evaluate(_conf(d.parent, tmp_path / lens, f"known_lens={lens}", FAST))
        assert res["known_lens"] is (lens == "true") and res["n_clips"] == 1 and res["dataset"] is None
        row = res["rows"]["oracle"][0]
        assert row["goal_correct"] and row["speed_error"] is not None and row["speed_error"] < 1.0
        # pose disabled: capture not measured (not 0 %); the run-up foot needs no pose and is scored
        assert row["pose_captured"] is None and res["sources"]["oracle"]["downstream"]["overall"]["pose_capture"] is None
        assert row["foot_correct"] is not None
        assert res["sources"]["oracle"]["detection"] == {}
    md = (tmp_path / "true" / "eval.md").read_text()
    assert "No dataset" in md and "| input | n | goal acc |" in md and "oracle by outcome:" in md
    with pytest.raises(KickyError, match="known_lens must be true or false"):
        evaluate(_conf(d.parent, tmp_path / "bad", "known_lens=maybe"))
    assert not (tmp_path / "bad").exists()


def test_analysis_benchmark_in_parallel_gives_the_serial_rows(sim_clips, tmp_path):
    """workers=2 scores clips in worker processes; rows come back in clip order, equal to workers=1."""
    clips = tmp_path / "clips"
    for name in ("goal", "over", "pass"):
        shutil.copytree(sim_clips[name][0], clips / name)
    res = {w: evaluate(_conf(clips, tmp_path / w, f"workers={w}", FAST, "degrade=[{drop: 0.3}]")) for w in ("1", "2")}
    assert res["1"]["n_clips"] == 3
    strip = lambda rows: {k: [{c: v for c, v in r.items() if c != "analysis_s"} for r in x] for k, x in rows.items()}  # noqa: E731
    assert strip(res["1"]["rows"]) == strip(res["2"]["rows"]) and set(res["1"]["rows"]) == {"oracle", "drop0.3"}
    rows = res["2"]["rows"]["oracle"]
    assert [r["outcome"] if r["kind"] == "shot" else r["kind"] for r in rows] == ["goal", "over", "pass"]
    with pytest.raises(KickyError, match="workers=0 is out of range"):
        evaluate(_conf(clips, tmp_path / "bad", "workers=0"))
    assert not (tmp_path / "bad").exists()


def test_a_degraded_source_is_a_degrade_entry(sim_clips, tmp_path):
    """`degrade=[...]` entries are sources of kind degraded placed after the named ones: written out as
    sources they draw the same (their place is their seed), so they score the same."""
    d, _ = sim_clips["goal"]
    listed = evaluate(_conf(d.parent, tmp_path / "a", FAST, "degrade=[{drop: 0.5, jitter_px: 3}]"))
    named = evaluate(_conf(d.parent, tmp_path / "b", FAST, "+sources.mine={kind: degraded, drop: 0.5, jitter_px: 3}"))
    assert listed["rows"]["drop0.5_jitter_px3"][0]["goal_pred"] == named["rows"]["mine"][0]["goal_pred"]
    keep = lambda r: {k: v for k, v in r.items() if k != "analysis_s"}  # noqa: E731
    assert keep(listed["rows"]["drop0.5_jitter_px3"][0]) == keep(named["rows"]["mine"][0])
    assert named["sources"]["mine"]["degrade"]["drop"] == 0.5 and named["sources"]["mine"]["draws"] == [0, 1]


def test_degraded_sources_check_their_settings():
    s = sources({"sources": {"oracle": {"kind": "truth"}}, "degrade": [{"drop": 0.3}, {"false_balls": 1, "pose": True}],
                 "seed": 4})
    assert [(x.name, x.kind, x.pose) for x in s] == [("oracle", "truth", None), ("drop0.3", "degraded", False),
                                                      ("false_balls1", "degraded", True)]
    assert [x.draws for x in s[1:]] == [[4, 1], [4, 2]]
    with pytest.raises(KickyError, match="degrade entries look like"):
        sources({"degrade": [{"dorp": 0.3}]})
    with pytest.raises(KickyError, match="unknown key"):
        Source("x", {"kind": "degraded", "dorp": 0.3})
    with pytest.raises(KickyError, match="two sources are named 'drop0.3'"):
        sources({"sources": {"drop0.3": {"kind": "truth"}}, "degrade": [{"drop": 0.3}]})
    with pytest.raises(KickyError, match="use one of truth, labels, degraded"):
        Source("x", {"kind": "noise"})
