"""GPU training benchmark, side by side in one command: rfdetr's stock `RFDETRSegSmall(...).train()`
versus our training path (`speed=fast`) on the same simulated dataset, same epochs, same batch.

    python -m kicky.train.bench clips=70 epochs=3 out=bench_out     (kicky train-bench, conf/train_bench.yaml)

Steps: simulate clips (960x540) -> oracle labels -> classes3 dataset -> (1) loader-only throughput,
stock vs pre-resized, (2) the stock run, (3) our run; prints and writes train_bench.{md,json}."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import hydra
from omegaconf import DictConfig

from kicky.cli import call
from kicky.core.config import CONF_PATH, conf_dir
from kicky.dataset.coco import ANN
from kicky.io.atomic import write_json

PY = sys.executable


def sh(*args: str) -> None:
    print("+", " ".join(args), flush=True)
    subprocess.run([PY, "-m", *args], check=True)


def make_dataset(root: Path, clips: int, workers: int, width: int, height: int, every: int, split: str) -> Path:
    tr, va, te = split.split(",")
    sh("kicky.sim", f"n_clips={clips}", "seed=5", f"sim.width={width}", f"sim.height={height}",
       f"out={root / 'clips'}", f"workers={workers}", f"hydra.run.dir={root / 'h1'}")
    sh("kicky.teacher", "teacher=oracle", f"clips={root / 'clips'}", f"out={root / 'labels'}",
       f"reports={root / 'rep'}", f"workers={workers}", f"hydra.run.dir={root / 'h2'}")
    sh("kicky.dataset", f"labels={root / 'labels'}", f"clips={root / 'clips'}", f"out={root / 'ds'}",
       f"reports={root / 'rep'}", f"dataset.sampling.every={every}", f"dataset.split.train={tr}",
       f"dataset.split.valid={va}", f"dataset.split.test={te}", f"hydra.run.dir={root / 'h3'}")
    return root / "ds"


def loader_rate(data: Path, res: int, workers: int, batch: int, multi_scale: bool, n_batches: int = 60) -> float:
    """Images/s of rfdetr's train dataloader alone (decode + transforms + collate), no model."""
    from rfdetr import RFDETRSegSmall
    from rfdetr.detr import _prepare_run_config
    from rfdetr.training import RFDETRDataModule
    det = RFDETRSegSmall(pretrain_weights=None, device="cpu")
    tc, _, _ = _prepare_run_config(det, dataset_dir=str(data), resolution=res, batch_size=batch,
                                   num_workers=workers, multi_scale=multi_scale, eval_backend="hotcoco",
                                   output_dir="/tmp/kicky_bench_loader", tensorboard=False)
    dm = RFDETRDataModule(det.model_config, tc)
    dm.setup("fit")
    it, n = iter(dm.train_dataloader()), 0
    next(it)
    t0 = time.perf_counter()
    for _, (samples, targets) in zip(range(n_batches), it):
        n += len(targets)
    return round(n / (time.perf_counter() - t0), 1)


def stock_run(data: Path, out: Path, epochs: int, batch: int, workers: int, res: int) -> dict:
    """rfdetr exactly as a user calls it (its defaults: multi-scale, HFlip, bf16 on Hopper)."""
    from rfdetr import RFDETRSegSmall
    from kicky.train.monitor import GpuSampler
    gpu = GpuSampler()
    det = RFDETRSegSmall(pretrain_weights=None)
    gpu.on()
    t0 = time.perf_counter()
    det.train(dataset_dir=str(data), epochs=epochs, batch_size=batch, num_workers=workers, resolution=res,
              eval_backend="hotcoco", output_dir=str(out), tensorboard=False, log_per_class_metrics=True)
    wall = time.perf_counter() - t0
    gpu.off()
    return {"wall_s": round(wall, 1), "gpu_util_mean": gpu.mean(), "csv": str(out / "metrics.csv")}


def csv_final(path: str) -> dict:
    import csv
    rows = [r for r in csv.DictReader(open(path)) if r.get("val/mAP_50_95")]
    last = rows[-1]
    keep = {k: float(v) for k, v in last.items() if v and (k.startswith("val/AP/") or k.startswith("val/ema_AP/") or
                                                           k in ("val/mAP_50_95", "val/ema_mAP_50_95",
                                                                 "val/segm_mAP_50_95", "val/ema_segm_mAP_50_95"))}
    return keep


def _compose(name: str, overrides: list[str]) -> dict:
    """A config composed as its entry point would (inside this Hydra app: its own search path)."""
    from hydra import compose, initialize_config_dir
    from hydra.core.global_hydra import GlobalHydra
    from omegaconf import OmegaConf
    if GlobalHydra.instance().is_initialized():
        return OmegaConf.to_container(compose(name, overrides=overrides), resolve=True)
    with initialize_config_dir(str(conf_dir()), version_base="1.3"):
        return OmegaConf.to_container(compose(name, overrides=overrides), resolve=True)


def run(conf: dict) -> dict:
    a = SimpleNamespace(**conf)
    work, out = Path(a.work), Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    cores = os.cpu_count() or 2
    data = make_dataset(work, a.clips, max(1, cores - 2), 960, 540, a.every, a.split)
    n_train = len(json.loads((data / "train" / ANN).read_text())["images"])
    print(f"train images: {n_train}", flush=True)

    from kicky.train.prepare import prepare
    t0 = time.perf_counter()
    fast_data = prepare(data, a.res, max(1, cores - 1))
    prep_s = round(time.perf_counter() - t0, 1)
    res = {"device": _device(), "date": time.strftime("%Y-%m-%d"), "train_images": n_train, "epochs": a.epochs,
           "batch": a.batch, "res": a.res, "pre_resize_s": prep_s,
           "loader_only": {"stock (960x540 JPEG, multi-scale, %d workers)" % a.stock_workers:
                           loader_rate(data, a.res, a.stock_workers, a.batch, True),
                           "pre-resized, fixed size, %d workers" % max(2, cores - 2):
                           loader_rate(fast_data, a.res, max(2, cores - 2), a.batch, False)}}
    print(json.dumps(res, indent=1), flush=True)

    if not a.skip_stock:
        s = stock_run(data, work / "stock", a.epochs, a.batch, a.stock_workers, a.res)
        s["final"] = csv_final(s.pop("csv"))
        s["images_per_s_wall"] = round(n_train * a.epochs / s["wall_s"], 1)
        res["stock"] = s
        print(json.dumps(s, indent=1), flush=True)
    write_json(out / "train_bench.json", res, indent=1)

    from kicky.train.run import run as train
    for i, variant in enumerate(a.variant or [""]):
        over = [f"data={data}", f"out={work / f'fast{i}'}", "model=small", f"res={a.res}", f"trainer={a.trainer}",
                "speed=fast", f"epochs={a.epochs}", "logger=csv", "run_test=false",
                "dataset.augment.motion_blur=null", "dataset.augment.jpeg=null", "dataset.augment.rotate=null",
                "dataset.augment.brightness=null", "dataset.augment.shadow=null", "dataset.augment.scale=null",
                *([] if "batch_size=" in variant else [f"batch_size={a.batch}"]), *variant.split(),
                *os.environ.get("KICKY_BENCH_OVERRIDES", "").split()]
        t0 = time.perf_counter()
        train(_compose("train", over))
        wall = time.perf_counter() - t0
        m = json.loads((work / f"fast{i}" / "metrics.json").read_text())
        res[f"fast{i}"] = {"variant": variant, "wall_s": round(wall, 1),
                           "images_per_s_wall": round(n_train * a.epochs / wall, 1),
                           "images_per_s_train_loop": [r["images_per_s"] for r in m["history"]],
                           "images_per_s_steady": [r.get("images_per_s_steady") for r in m["history"]],
                           "gpu_util_mean": [r.get("gpu_util_mean") for r in m["history"]],
                           "gpu_mem_peak_gb": m["throughput"]["gpu_mem_peak_gb"], "valid_last": m["valid_last"]}
        write_json(out / "train_bench.json", res, indent=1)
        for f in (work / f"fast{i}").glob("*profile_*.txt"):          # profile=pytorch|simple variants
            shutil.copy(f, out / f"fast{i}_{f.name}")
        print(json.dumps(res[f"fast{i}"], indent=1), flush=True)
    return res


def _device() -> str:
    import torch
    return torch.cuda.get_device_name(0) if torch.cuda.is_available() else "cpu"


@hydra.main(version_base="1.3", config_path=CONF_PATH, config_name="train_bench")
def main(cfg: DictConfig) -> None:
    call(run, cfg)


if __name__ == "__main__":
    main()
