"""The `build` stage: the dataset's settings checked, the COCO dataset built from teacher labels
(kicky.dataset.build, split by clip), its stats table written and printed."""
from __future__ import annotations

from pathlib import Path

from kicky.checks import number
from kicky.dataset.build import build
from kicky.dataset.config import dataset_settings
from kicky.dataset.stats import stats_table
from kicky.io.atomic import write_json, write_text


def run(conf: dict) -> dict:
    ds = dataset_settings(conf["dataset"])
    workers = number(conf, "workers", int, 1)
    stats, n = build(ds, Path(conf["labels"]), Path(conf["clips"]), Path(conf["out"]), workers)
    table = stats_table(stats, tuple(ds["classes"]))
    reports = Path(conf["reports"])
    write_json(reports / f"dataset_{ds['name']}.json", {"classes": list(ds["classes"]), "splits": stats}, indent=1)
    md = f"# Dataset {ds['name']} ({n} clips, split by clip)\n\n{table}\n"
    write_text(reports / f"dataset_{ds['name']}.md", md)
    print(md)
    return stats
