"""Where the time of a training step goes: `profile=simple` (Lightning's per-hook timer: data fetch,
training step, backward, optimiser, each callback) or `profile=pytorch` (torch.profiler over a few
steady-state steps: the top operators by host time and by GPU time, and the step's GPU-busy share)."""
from __future__ import annotations

from pathlib import Path

import torch
from pytorch_lightning import Callback

from kicky.io.atomic import write_text


class OpProfile(Callback):
    """torch.profiler around batches [start, start + steps) of the first epoch this run trains (a
    resumed run's too; moved earlier when the epoch is shorter); writes profile_ops.txt."""

    def __init__(self, run_dir: str | Path, start: int = 20, steps: int = 5):
        self.path, self.start, self.steps = Path(run_dir) / "profile_ops.txt", start, steps
        self.epoch, self.prof = None, None

    def on_train_epoch_start(self, trainer, pl_module):
        n = trainer.num_training_batches
        if self.epoch is None and isinstance(n, int) and n > 0:
            self.epoch, self.steps = trainer.current_epoch, min(self.steps, n)
            self.start = min(self.start, n - self.steps)

    def on_train_batch_start(self, trainer, pl_module, batch, batch_idx):
        if trainer.current_epoch == self.epoch and batch_idx == self.start:
            acts = [torch.profiler.ProfilerActivity.CPU]
            if torch.cuda.is_available():
                acts.append(torch.profiler.ProfilerActivity.CUDA)
                torch.cuda.synchronize()
            self.prof = torch.profiler.profile(activities=acts)
            self.prof.start()

    def on_train_batch_end(self, trainer, pl_module, outputs, batch, batch_idx):
        if self.prof is not None and batch_idx == self.start + self.steps - 1:
            if torch.cuda.is_available():
                torch.cuda.synchronize()
            self.prof.stop()
            if trainer.is_global_zero:
                write_text(self.path, report(self.prof, self.steps))
            self.prof = None


def report(prof, steps: int) -> str:
    ev = prof.key_averages()
    wall_us = _span_us(prof)
    gpu_us = sum(e.time_range.elapsed_us() for e in prof.events()             # kernels, memcpy, memset:
                 if e.device_type == torch.autograd.DeviceType.CUDA           # not the GPU-side spans of
                 and not e.is_user_annotation)                                # annotations (optimizer.step)
    head = (f"{steps} training steps profiled: wall {wall_us / 1e3 / steps:.1f} ms/step, "
            f"GPU kernels {gpu_us / 1e3 / steps:.1f} ms/step (GPU busy {100 * gpu_us / max(wall_us, 1):.0f} %)\n")
    by_cpu = ev.table(sort_by="self_cpu_time_total", row_limit=35)
    by_gpu = ev.table(sort_by="self_device_time_total", row_limit=25) if torch.cuda.is_available() else ""
    return f"{head}\n## by host (self CPU) time\n{by_cpu}\n## by GPU time\n{by_gpu}\n"


def _span_us(prof) -> float:
    evs = prof.events()
    if not evs:
        return 0.0
    return max(e.time_range.end for e in evs) - min(e.time_range.start for e in evs)


def build(name: str | None, run_dir: Path) -> tuple[object | None, list[Callback]]:
    """-> (Lightning profiler, extra callbacks) for `profile=<name>`."""
    if not name:          # the name is checked with the other settings (settings.check)
        return None, []
    if name == "simple":
        from pytorch_lightning.profilers import SimpleProfiler
        return SimpleProfiler(dirpath=str(run_dir), filename="profile_hooks"), []
    return None, [OpProfile(run_dir)]
