"""The end of a sweep (`python train.py -m ...`, grid or Optuna): one table of every trial's overrides
and results, best first, in <sweep dir>/sweep_summary.{md,json}."""
from __future__ import annotations

import json
from pathlib import Path

import yaml
from hydra.experimental.callback import Callback

from kicky.io.atomic import write_json, write_text
from kicky.train.report import best_map


def trials(sweep_dir: Path) -> list[dict]:
    out = []
    for m in sorted(sweep_dir.glob("*/metrics.json")):
        metrics = json.loads(m.read_text())
        over_file = m.parent / ".hydra" / "overrides.yaml"
        overrides = yaml.safe_load(over_file.read_text()) if over_file.is_file() else []
        best = metrics["valid_best"]
        out.append({"dir": m.parent.name, "overrides": " ".join(overrides),
                    "valid_mAP_50_95": best_map(best),
                    "valid_segm_mAP_50_95": best.get("segm_mAP_50_95"),
                    **{f"AP_{c}": v for c, v in best["per_class_ap"].items()},
                    "images_per_s": metrics["throughput"]["images_per_s_last"]})
    return sorted(out, key=lambda t: -t["valid_mAP_50_95"])


def markdown(rows: list[dict]) -> str:
    if not rows:
        return "# Sweep summary\n\nNo trial finished.\n"
    cols = [c for c in rows[0] if c != "dir"]
    fmt = lambda v: f"{v:.3f}" if isinstance(v, float) else ("-" if v is None else str(v))  # noqa: E731
    lines = ["# Sweep summary (best valid mAP first)", "", "| trial | " + " | ".join(cols) + " |",
             "|---|" + "---|" * len(cols)]
    lines += [f"| {r['dir']} | " + " | ".join(fmt(r[c]) for c in cols) + " |" for r in rows]
    return "\n".join(lines) + "\n"


class SweepSummary(Callback):
    def on_multirun_end(self, config, **kwargs) -> None:
        sweep_dir = Path(config.hydra.sweep.dir)
        rows = trials(sweep_dir)
        write_json(sweep_dir / "sweep_summary.json", rows, indent=1)
        write_text(sweep_dir / "sweep_summary.md", markdown(rows))
        print(markdown(rows))
