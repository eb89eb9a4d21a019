"""W&B for a training run: offline by default (no account needed), grouped by experiment; rfdetr's
own logged keys (train/loss, train/lr, val/mAP_*, val/segm_mAP_*, val/AP/<class>) become the run's
charts, and the end of the run adds a per-class AP line chart and the final per-class table."""
from __future__ import annotations

import os
from pathlib import Path


def wandb_logger(conf: dict, run_dir: Path):
    from pytorch_lightning.loggers import WandbLogger
    os.environ.setdefault("WANDB_MODE", conf["logger"].get("mode", "offline"))
    os.environ.setdefault("WANDB_SILENT", "true")
    return WandbLogger(project=conf["logger"]["project"], name=conf["run_name"], group=conf["experiment_name"],
                       job_type="train", save_dir=str(run_dir), config=conf, tags=[conf["model"]["name"],
                                                                                 conf["dataset"]["name"]])


def log_final(logger, metrics: dict) -> None:
    import wandb
    run = logger.experiment
    classes, history = metrics["classes"], metrics["history"]
    rows = [[c, metrics["valid_last"]["per_class_ap"][c], metrics["valid_best"]["per_class_ap"][c],
             (metrics["test"] or {}).get("per_class_ap", {}).get(c)] for c in classes]
    run.log({"per_class_ap_table": wandb.Table(columns=["class", "valid_last", "valid_best", "test"], data=rows)})
    xs = [r["epoch"] + 1 for r in history]
    ys = [[(r.get(f"val/AP/{c}") or 0.0) for r in history] for c in classes]
    run.log({"per_class_ap": wandb.plot.line_series(xs=xs, ys=ys, keys=classes, title="valid AP per class",
                                                     xname="epoch")})
    run.summary.update({"valid_mAP_50_95": metrics["valid_best"].get("mAP_50_95"),
                        "images_per_s": metrics["throughput"]["images_per_s_last"],
                        **{f"AP/{c}": metrics["valid_best"]["per_class_ap"][c] for c in classes}})
