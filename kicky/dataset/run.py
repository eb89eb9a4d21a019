"""The `build` stage: the dataset's settings checked, the COCO dataset built from teacher labels
(kicky.dataset.build, split by clip), its stats table written and printed."""
from __future__ import annotations

from pathlib import Path

from kicky.checks import number
from kicky.dataset.build import build
from kicky.dataset.splits import SPLITS
from kicky.dataset.stats import stats_table
from kicky.io.atomic import write_json, write_text


def check(ds: dict) -> dict:
    """`ds` with its sampling, JPEG and split settings typed and in range (one clear error naming
    the key), before any work."""
    def num(group: str | None, key: str, kind, low, high=float("inf")):
        name = f"dataset.{group + '.' if group else ''}{key}"
        return number({name: (ds[group] if group else ds)[key]}, name, kind, low, high)
    smp = {**ds["sampling"], "every": num("sampling", "every", int, 1), "fast_px": num("sampling", "fast_px", float, 0.0),
           "around": num("sampling", "around", int, 0)}
    split = {**ds["split"], "seed": num("split", "seed", int, 0), **{s: num("split", s, float, 0.0) for s in SPLITS}}
    return {**ds, "sampling": smp, "split": split, "jpeg_quality": num(None, "jpeg_quality", int, 1, 100)}


def run(conf: dict) -> dict:
    ds = check(conf["dataset"])
    workers = number(conf, "workers", int, 1)
    stats, n = build(ds, Path(conf["labels"]), Path(conf["clips"]), Path(conf["out"]), workers)
    table = stats_table(stats, tuple(ds["classes"]))
    reports = Path(conf["reports"])
    write_json(reports / f"dataset_{ds['name']}.json", {"classes": list(ds["classes"]), "splits": stats}, indent=1)
    md = f"# Dataset {ds['name']} ({n} clips, split by clip)\n\n{table}\n"
    write_text(reports / f"dataset_{ds['name']}.md", md)
    print(md)
    return stats
