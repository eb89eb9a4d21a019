"""Per-epoch record of a run, independent of the logger chosen: losses, lr, valid mAP, per-class AP,
training images/s (train loop only, validation excluded; "steady" also leaves out the epoch's first
WARM batches: worker start-up, torch.compile, CUDA warm-up), GPU utilisation and peak memory.
Saved to <run>/history.json after every epoch (rank 0), so a resumed run keeps its past."""
from __future__ import annotations

import json
import math
import threading
import time
from pathlib import Path

import torch
from pytorch_lightning import Callback

from kicky.io.atomic import write_json


def _number(v) -> float | None:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(f) else f


class GpuSampler:
    """Mean GPU utilisation (%) sampled every `period` s through NVML while switched on."""

    def __init__(self, period: float = 0.5):
        self.period, self.samples, self._on = period, [], threading.Event()
        try:
            import pynvml
            pynvml.nvmlInit()
            self._nvml = pynvml
            self._handle = pynvml.nvmlDeviceGetHandleByIndex(torch.cuda.current_device())
        except Exception:          # no NVML (CPU machine, no nvidia-ml-py): utilisation not measured
            self._nvml = None
            return
        threading.Thread(target=self._loop, daemon=True).start()

    def _loop(self):
        while True:
            time.sleep(self.period)
            if self._on.is_set():
                self.samples.append(self._nvml.nvmlDeviceGetUtilizationRates(self._handle).gpu)

    def on(self):
        self._on.set()

    def off(self):
        self._on.clear()

    def mean(self) -> float | None:
        return round(sum(self.samples) / len(self.samples), 1) if self.samples else None


WARM = 10


class EpochMonitor(Callback):
    def __init__(self, run_dir: str | Path, resume: bool):
        self.path = Path(run_dir) / "history.json"
        self.rows = json.loads(self.path.read_text()) if resume and self.path.is_file() else []
        self.gpu = None

    def on_train_start(self, trainer, pl_module):   # after a resumed run's loops are restored
        done = trainer.current_epoch
        self.rows = [r for r in self.rows if r["epoch"] < done]
        if torch.cuda.is_available() and trainer.strategy.root_device.type == "cuda":
            self.gpu = GpuSampler()
            torch.cuda.reset_peak_memory_stats()

    def on_train_epoch_start(self, trainer, pl_module):
        self.t0, self.t_last, self.images = time.perf_counter(), None, 0
        self.t_warm, self.images_warm = None, 0
        if self.gpu:
            self.gpu.samples.clear()
            self.gpu.on()

    def on_train_batch_end(self, trainer, pl_module, outputs, batch, batch_idx):
        self.images += len(batch[1])
        self.t_last = time.perf_counter()
        if batch_idx == WARM - 1:
            self.t_warm, self.images_warm = self.t_last, self.images

    def on_validation_start(self, trainer, pl_module):
        if self.gpu:
            self.gpu.off()

    def on_train_epoch_end(self, trainer, pl_module):
        if self.gpu:
            self.gpu.off()
        seconds = (self.t_last or time.perf_counter()) - self.t0
        world = trainer.world_size
        row = {"epoch": trainer.current_epoch, "train_images": self.images * world,
               "train_seconds": round(seconds, 2),
               "images_per_s": round(self.images * world / seconds, 2) if seconds > 0 else None}
        if self.t_warm is not None and self.t_last > self.t_warm:
            row["images_per_s_steady"] = round((self.images - self.images_warm) * world / (self.t_last - self.t_warm), 2)
        if self.gpu:
            row["gpu_util_mean"] = self.gpu.mean()
            row["gpu_mem_peak_gb"] = round(torch.cuda.max_memory_allocated() / 2**30, 2)
        for k, v in trainer.callback_metrics.items():
            if k.startswith(("val/", "test/")) or k in ("train/loss", "train/lr"):
                row[k] = _number(v)
        self.rows.append(row)
        if trainer.is_global_zero:
            write_json(self.path, self.rows, indent=1)
