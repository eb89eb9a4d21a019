"""The `sim` stage: simulated clips (clip.mp4 + truth.json each) rendered in parallel, resumable,
an index.json of their summaries and the outcome x foot table."""
from __future__ import annotations

from pathlib import Path

from kicky.checks import number
from kicky.io.atomic import write_json
from kicky.sim.batch import distribution_table, render_batch
from kicky.sim.config import SimConfig


def run(conf: dict) -> list[dict]:
    n, seed = number(conf, "n_clips", int, 1), number(conf, "seed", int)
    out = Path(conf["out"])
    cfg = SimConfig.from_dict(conf["sim"])
    workers = number({"workers": conf.get("workers", 1)}, "workers", int, 1)
    rows = render_batch(cfg, seed, n, out, workers)
    write_json(out / "index.json", {"seed": seed, "n_clips": n, "sim": conf["sim"], "clips": rows}, indent=1)
    print(distribution_table(rows))
    return rows
