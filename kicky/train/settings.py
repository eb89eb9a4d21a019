"""Our Hydra train config -> rfdetr's TrainConfig keyword arguments (rfdetr validates them again)."""
from __future__ import annotations

import os

from kicky.dataset.augment import aug_config
from kicky.errors import KickyError

PRECISION = {"auto": "auto", "bf16": "bf16", "fp16": "fp16", "fp32": None}
LOGGERS = ("wandb", "csv", "none")
OBJECTIVES = ("map", "ball_ap")
PROFILES = ("simple", "pytorch")


def workers(conf: dict) -> int:
    w = conf["speed"].get("workers")
    if w == "auto":
        return max(2, (os.cpu_count() or 2) - 2)
    return int(conf["trainer"]["num_workers"] if w is None else w)


def devices(trainer: dict) -> int:
    """How many devices a run uses (for the effective batch size)."""
    d = trainer["devices"]
    if isinstance(d, (list, tuple)):
        return len(d)
    if d == -1 and trainer["accelerator"] == "gpu":
        import torch
        return max(1, torch.cuda.device_count())
    return int(d) if int(d) > 0 else 1


def check(conf: dict) -> None:
    if conf["precision"] not in PRECISION:
        raise KickyError(f"precision={conf['precision']!r}: use one of {', '.join(PRECISION)}")
    if conf["logger"]["name"] not in LOGGERS:
        raise KickyError(f"logger={conf['logger']['name']!r}: use one of {', '.join(LOGGERS)}")
    if conf.get("profile") not in (None, *PROFILES):
        raise KickyError(f"profile={conf['profile']!r}: use one of {', '.join(PROFILES)} (or null)")
    if conf["objective"] not in OBJECTIVES:
        raise KickyError(f"objective={conf['objective']!r}: use one of {', '.join(OBJECTIVES)}")
    for key in ("epochs", "batch_size", "grad_accum", "eval_interval", "checkpoint_interval"):
        if not isinstance(conf[key], int) or conf[key] < 1:
            raise KickyError(f"{key} must be a positive integer, got {conf[key]!r}")
    mm = conf.get("max_minutes")
    if mm is not None and (isinstance(mm, bool) or not isinstance(mm, (int, float)) or mm <= 0):
        raise KickyError(f"max_minutes must be a positive number of minutes or null, got {mm!r}")
    for key in ("lr", "lr_encoder"):
        if not isinstance(conf[key], (int, float)) or conf[key] <= 0:
            raise KickyError(f"{key} must be a positive number, got {conf[key]!r}")


def train_kwargs(conf: dict, data: str, out: str, res: int, classes: list[str]) -> dict:
    t, s = conf["trainer"], conf["speed"]
    kw = dict(
        dataset_dir=str(data), output_dir=str(out), resolution=res, class_names=classes,
        epochs=conf["epochs"], batch_size=conf["batch_size"], grad_accum_steps=conf["grad_accum"],
        lr=float(conf["lr"]), lr_encoder=float(conf["lr_encoder"]), weight_decay=float(conf["weight_decay"]),
        use_ema=bool(conf["ema"]["enabled"]), ema_decay=float(conf["ema"]["decay"]),
        early_stopping=bool(conf["early_stopping"]["enabled"]),
        early_stopping_patience=int(conf["early_stopping"]["patience"]),
        early_stopping_min_delta=float(conf["early_stopping"]["min_delta"]),
        seed=conf["seed"], amp_dtype=PRECISION[conf["precision"]],
        checkpoint_interval=conf["checkpoint_interval"], eval_interval=conf["eval_interval"],
        run_test=bool(conf["run_test"]), log_per_class_metrics=True, eval_backend="hotcoco",
        aug_config=aug_config(conf["dataset"].get("augment")), multi_scale=bool(s["multi_scale"]),
        num_workers=workers(conf), accelerator=t["accelerator"], devices=t["devices"], strategy=t["strategy"],
        num_nodes=t["num_nodes"], sync_bn=bool(t["sync_bn"]), tensorboard=False, wandb=False, progress_bar="tqdm")
    for key in ("pin_memory", "persistent_workers", "prefetch_factor"):
        if s.get(key) is not None and kw["num_workers"] > 0:
            kw[key] = s[key]
    return kw
