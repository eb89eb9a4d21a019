"""`python -m kicky.sim.stats clips=data/clips out=metrics/sim.json` (+ metrics/sim.md; `kicky sim-stats`, conf/sim_stats.yaml)

Summary of a simulated clip set (the numbers DVC tracks as metrics): outcomes, feet, shot speeds,
ball size in pixels at the kick, clip lengths. Prints the outcome x foot table."""
from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import numpy as np

import hydra
from omegaconf import DictConfig

from kicky.cli import call
from kicky.core.config import CONF_PATH

from kicky.errors import KickyError
from kicky.io.atomic import write_json, write_text
from kicky.sim.batch import distribution_table
from kicky.sim.clip import summary_of


def clip_stats(clips: Path) -> tuple[dict, list[dict]]:
    files = sorted(Path(clips).glob("*/truth.json"))
    if not files:
        raise KickyError(f"no simulated clips (*/truth.json) under {clips}; run python -m kicky.sim first")
    rows = [summary_of(json.loads(f.read_text())) for f in files]
    shots = [r for r in rows if r["kind"] == "shot"]
    diam = [r["ball_diam_px_at_kick"] for r in shots]
    speeds = [r["speed_kmh"] for r in shots]
    stats = {
        "n_clips": len(rows), "n_shots": len(shots),
        "outcomes": dict(sorted(Counter(r["outcome"] for r in rows).items())),
        "non_shot_kinds": dict(sorted(Counter(r["kind"] for r in rows if r["kind"] != "shot").items())),
        "feet": dict(sorted(Counter(r["foot"] for r in shots).items())),
        "speed_kmh_median": round(float(np.median(speeds)), 2) if speeds else None,
        "ball_px_at_kick_median": round(float(np.median(diam)), 2) if diam else None,
        "frames_mean": round(float(np.mean([r["n_frames"] for r in rows])), 1),
    }
    return stats, rows


def run(conf: dict) -> dict:
    stats, rows = clip_stats(Path(conf["clips"]))
    out = Path(conf["out"])
    write_json(out, stats, indent=1, sort_keys=True)
    table = distribution_table(rows)
    write_text(out.with_suffix(".md"), f"# Simulated clip set: {conf['clips']}\n\n{table}\n")
    print(table)
    print(json.dumps(stats))
    return stats


@hydra.main(version_base="1.3", config_path=CONF_PATH, config_name="sim_stats")
def main(cfg: DictConfig) -> None:
    call(run, cfg)


if __name__ == "__main__":
    main()
