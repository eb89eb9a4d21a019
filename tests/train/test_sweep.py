"""Sweeps run end to end at tiny settings: a Hydra multirun grid and an Optuna search, each trial a
real run, a sweep summary at the end."""
import json
import subprocess
import sys

import yaml

from tests.train.test_train import ROOT

TINY = ["model=nano", "epochs=1", "limit_batches=1", "batch_size=2", "logger=none", "run_test=false"]


def _multirun(dataset, sweep_dir, *over):
    p = subprocess.run([sys.executable, "train.py", "-m", f"data={dataset}", *TINY, *over,
                        f"hydra.sweep.dir={sweep_dir}"], cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert p.returncode == 0, p.stderr[-3000:]
    return json.loads((sweep_dir / "sweep_summary.json").read_text())


def test_grid_sweep_summary(dataset, tmp_path):
    rows = _multirun(dataset, tmp_path / "grid", "res=96,120")
    assert sorted(r["overrides"].split("res=")[1].split()[0] for r in rows) == ["120", "96"]
    assert all("AP_ball" in r and r["images_per_s"] for r in rows)
    assert (tmp_path / "grid" / "sweep_summary.md").read_text().count("| 0_nano") + \
        (tmp_path / "grid" / "sweep_summary.md").read_text().count("| 1_nano") == 2


def test_optuna_search(dataset, tmp_path):
    rows = _multirun(dataset, tmp_path / "opt", "res=96", "hparams_search=optuna", "hydra.sweeper.n_trials=2",
                     "objective=ball_ap")
    assert len(rows) == 2 and all("lr=" in r["overrides"] for r in rows)
    result = yaml.safe_load((tmp_path / "opt" / "optimization_results.yaml").read_text())
    assert result["name"] == "optuna" and "lr" in result["best_params"]
