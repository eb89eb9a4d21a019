"""One training run: rfdetr's RF-DETR-Seg model, datamodule and Lightning trainer (rfdetr's own
callbacks: EMA, checkpoints, best model, early stopping, COCO eval with per-class AP), plus our
epoch monitor and W&B logger; then metrics.json, per_class_ap.md/png and the resolved config."""
from __future__ import annotations

import json
import logging
import os
from pathlib import Path

import yaml

from kicky.dataset.coco import ANN, class_names, problem
from kicky.dataset.config import dataset_settings
from kicky.dataset.splits import SPLITS
from kicky.errors import KickyError
from kicky.io.atomic import write_text
from kicky.io.checkpoint import checked
from kicky.train import profile, report, settings
from kicky.train.sizes import check_res
from kicky.train.weights import own_name, resolve

log = logging.getLogger("kicky.train")


def dataset_classes(data: Path, name: str) -> list[str]:
    for split in SPLITS:
        if not (data / split / ANN).is_file():
            raise KickyError(f"no dataset at {data} (missing {split}/{ANN}): build it first with "
                             f"`python -m kicky.dataset dataset={name}` or point data= at one")
    rebuild = f"rebuild it with `python -m kicky.dataset dataset={name}`"
    for split in SPLITS:   # before rfdetr starts: a missing image or box would stop it mid-epoch
        path = data / split / ANN
        try:
            doc = json.loads(path.read_text())
            bad = problem(doc, data / split)
            names = class_names(doc) if split == "train" else names
        except (OSError, ValueError, KeyError, TypeError) as e:
            raise KickyError(f"unreadable dataset {path}: {e.__class__.__name__}: {e}: {rebuild}") from None
        if bad:
            raise KickyError(f"dataset {data} is incomplete: {bad}: {rebuild}")
    return names


def check_run_dir(run_dir: Path, resume: bool) -> Path | None:
    last = run_dir / "last.ckpt"
    if resume:
        if not last.is_file():
            raise KickyError(f"resume=true but {last} does not exist: nothing to resume")
        return checked(last, "it cannot be resumed (killed while it was written?): resume=false with a new "
                             "run_name=... starts again")
    # history.json alone (no last.ckpt, no metrics.json) is a run killed before its first checkpoint was
    # written (the epoch monitor writes its row just before last.ckpt): nothing to keep or resume, start again
    if last.is_file() or (run_dir / "metrics.json").is_file():
        raise KickyError(f"{run_dir} already holds a run: resume=true continues it; run_name=... starts another")
    return None


def build_detector(model: dict, weights: str | None, accelerator: str, asked: str | None = None):
    """The rfdetr model; `weights` is the path `kicky.train.weights.resolve` gave for `asked`."""
    import requests
    import rfdetr
    if not weights and os.environ.get("LOCAL_RANK", "0") == "0":      # once, not once per DDP rank
        print(f"kicky: no pretrain_weights set: RF-DETR-Seg {model['name']} starts from random init "
              f"(pretrain_weights=/path/to/checkpoint.pth fine-tunes a local checkpoint, "
              f"pretrain_weights={own_name(model['rfdetr'])} rfdetr's published one)", flush=True)
    try:
        return getattr(rfdetr, model["rfdetr"])(pretrain_weights=weights or None,
                                                device="cuda" if accelerator == "gpu" else "cpu")
    except requests.RequestException as e:   # the hub answered the probe but the download failed
        raise KickyError(f"pretrain_weights={asked} could not be downloaded ({e.__class__.__name__}: {e}): "
                         f"put the file at {weights}, or pass a local path") from None


def hydra_dir() -> str:
    from hydra.core.hydra_config import HydraConfig
    if not HydraConfig.initialized():
        raise KickyError("out= is not set and no Hydra run dir exists: pass out=<run dir>")
    return HydraConfig.get().runtime.output_dir


def run(conf: dict) -> float:
    settings.check(conf)
    conf = {**conf, "dataset": dataset_settings(conf["dataset"])}
    model, run_dir = conf["model"], Path(conf["out"] or hydra_dir())
    res = check_res(model, conf["res"])
    weights = resolve(conf["pretrain_weights"], model, conf.get("pretrain_probe"))
    data = Path(conf["data"])
    classes = dataset_classes(data, conf["dataset"]["name"])
    ckpt = check_run_dir(run_dir, bool(conf["resume"]))
    if conf["speed"]["pre_resize"]:
        from kicky.train.prepare import prepare
        data = prepare(data, res, settings.workers(conf))

    from rfdetr.detr import _prepare_run_config
    from rfdetr.training import RFDETRDataModule, RFDETRModelModule, build_trainer
    from kicky.train.monitor import EpochMonitor

    from pytorch_lightning import seed_everything
    seed_everything(int(conf["seed"]), verbose=False)   # rfdetr seeds at fit start, after the weights (random
    # init, the class head sized to the dataset) are drawn: without this, seed= did not make two runs alike
    detector = build_detector(model, weights, conf["trainer"]["accelerator"], conf["pretrain_weights"])
    if conf["speed"].get("compile"):
        detector.model_config.compile = True
    tc, accelerator, _ = _prepare_run_config(detector, **settings.train_kwargs(conf, data, run_dir, res, classes))
    detector._align_num_classes_from_dataset(str(data))
    module, datamodule = RFDETRModelModule(detector.model_config, tc), RFDETRDataModule(detector.model_config, tc)
    limit = conf.get("limit_batches")
    extra = dict(limit_train_batches=limit, limit_val_batches=limit, limit_test_batches=limit) if limit else {}
    if conf.get("max_minutes"):
        extra["max_time"] = {"minutes": float(conf["max_minutes"])}
    profiler, profile_callbacks = profile.build(conf.get("profile"), run_dir)
    if profiler is not None:
        extra["profiler"] = profiler
    trainer = build_trainer(tc, detector.model_config, **extra)
    monitor = EpochMonitor(run_dir, resume=ckpt is not None)
    trainer.callbacks.extend([monitor, *profile_callbacks])
    wandb = None
    if conf["logger"]["name"] == "none":
        trainer.loggers = []
    elif conf["logger"]["name"] == "wandb":
        from kicky.train.tracking import wandb_logger
        wandb = wandb_logger(conf, run_dir)
        trainer.loggers = [*trainer.loggers, wandb]
    n_dev = settings.devices(conf["trainer"])
    if trainer.is_global_zero:
        print(f"kicky: {model['name']} @ {res}px on {conf['dataset']['name']} ({', '.join(classes)}); "
              f"batch {conf['batch_size']}/device x {n_dev} device(s) x {conf['trainer']['num_nodes']} node(s) x "
              f"{conf['grad_accum']} accumulation = effective batch "
              f"{conf['batch_size'] * n_dev * conf['trainer']['num_nodes'] * conf['grad_accum']}; "
              f"{tc.num_workers} loader workers; run dir {run_dir}", flush=True)
    trainer.fit(module, datamodule, ckpt_path=str(ckpt) if ckpt else None)

    test = {k: float(v) for k, v in trainer.callback_metrics.items() if k.startswith("test/")}
    info = {"run_name": conf["run_name"], "experiment": conf["experiment_name"], "model": model["name"],
            "res": res, "dataset": conf["dataset"]["name"], "data": str(data), "speed": conf["speed"]["name"],
            "pretrain_weights": conf["pretrain_weights"], "devices": n_dev}
    metrics = report.summary(monitor.rows, test, classes, info)
    if trainer.is_global_zero:
        report.write(run_dir, metrics)
        write_text(run_dir / "config.yaml", yaml.safe_dump(conf, sort_keys=False))
        if wandb is not None:
            from kicky.train.tracking import log_final
            log_final(wandb, metrics)
            from kicky.io.wandb_run import close
            close(wandb.experiment)
    best = metrics["valid_best"]
    if conf["objective"] == "ball_ap":
        return float(best["per_class_ap"].get("ball") or 0.0)
    return report.best_map(best)
