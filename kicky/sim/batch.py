"""Render a set of clips in parallel, resumable: a clip directory exists only when complete."""
from __future__ import annotations

import json
from collections import Counter
from concurrent.futures import as_completed
from pathlib import Path

from tqdm import tqdm

from kicky.io.pool import worker_pool
from kicky.sim.clip import clip_id, render_clip, summary_of
from kicky.sim.config import SimConfig


def _job(args):
    cfg, seed, index, out = args
    return render_clip(cfg, seed, index, out)


def render_batch(cfg: SimConfig, seed: int, n: int, out: Path, workers: int = 1) -> list[dict]:
    """Clips 0..n-1 of `seed` rendered into `out` (those already complete kept), `workers` at a
    time; each clip's summary row."""
    todo = [i for i in range(n) if not (out / clip_id(seed, i) / "truth.json").is_file()]
    done = n - len(todo)
    if done:
        print(f"{done}/{n} clips already in {out}, rendering {len(todo)}")
    jobs = [(cfg, seed, i, out) for i in todo]
    if workers == 1 or len(jobs) <= 1:
        for j in tqdm(jobs, desc="simulating", unit="clip"):
            _job(j)
    else:
        with worker_pool(workers, "fork") as ex:
            futs = [ex.submit(_job, j) for j in jobs]
            for f in tqdm(as_completed(futs), total=len(futs), desc="simulating", unit="clip"):
                f.result()
    return [summary_of(json.loads((out / clip_id(seed, i) / "truth.json").read_text())) for i in range(n)]


def distribution_table(rows: list[dict]) -> str:
    """Markdown table of outcome (and non-shot kind) by kicking foot."""
    c = Counter((r["outcome"] if r["kind"] == "shot" else f"no_shot/{r['kind']}", r["foot"] or "-") for r in rows)
    keys = sorted({k for k, _ in c})
    lines = ["| outcome | left | right | - | total |", "|---|---:|---:|---:|---:|"]
    for k in keys:
        lf, rf, nf = c[(k, "left")], c[(k, "right")], c[(k, "-")]
        lines.append(f"| {k} | {lf} | {rf} | {nf} | {lf + rf + nf} |")
    lines.append(f"| **all** | {sum(v for (k, f), v in c.items() if f == 'left')} | "
                 f"{sum(v for (k, f), v in c.items() if f == 'right')} | "
                 f"{sum(v for (k, f), v in c.items() if f == '-')} | {len(rows)} |")
    return "\n".join(lines)
