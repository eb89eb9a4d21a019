"""The trained student (an RF-DETR-Seg run dir from `train.py`) as a detector: frames in batches ->
per-frame instances, on the GPU in fp16 where there is one, else on the CPU in fp32; optionally
with the sliced ball pass."""
from __future__ import annotations

import hashlib
import json
import logging
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml

from kicky.detect import slicer
from kicky.errors import KickyError
from kicky.teacher.instances import Instance, Labels

log = logging.getLogger("kicky.detect")
CHECKPOINT = "checkpoint_best_total.pth"


@dataclass
class StudentRun:
    """What a training run dir holds that inference needs."""
    path: Path
    checkpoint: Path
    rfdetr: str          # rfdetr class name, e.g. RFDETRSegNano
    res: int
    classes: list[str]
    checksum: str        # of the checkpoint file

    @classmethod
    def load(cls, run_dir: str | Path) -> "StudentRun":
        run_dir = Path(run_dir)
        ckpt, conf, metrics = run_dir / CHECKPOINT, run_dir / "config.yaml", run_dir / "metrics.json"
        for f in (ckpt, conf, metrics):
            if not f.is_file():
                raise KickyError(f"no trained student at {run_dir} (missing {f.name}): train one with "
                                 f"`python train.py` (dvc stage train) or point run= at outputs/train/<run>")
        try:
            c = yaml.safe_load(conf.read_text())
            classes = list(json.loads(metrics.read_text())["classes"])
            name, res = c["model"]["rfdetr"], int(c["res"])
        except (ValueError, KeyError, TypeError, yaml.YAMLError) as e:
            raise KickyError(f"unreadable run files in {run_dir}: {e.__class__.__name__}: {e}") from None
        h = hashlib.sha1()
        with ckpt.open("rb") as f:
            for block in iter(lambda: f.read(1 << 22), b""):
                h.update(block)
        return cls(run_dir, ckpt, name, res, classes, h.hexdigest()[:12])


def pick_device(device: str) -> str:
    import torch
    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device.startswith("cuda") and not torch.cuda.is_available():
        raise KickyError(f"device={device} but no CUDA device is visible: use device=cpu or device=auto")
    return device


def machine(device: str = "cpu") -> str:
    """The hardware a throughput number was measured on, in words."""
    import os
    import platform
    if device.startswith("cuda"):
        import torch
        return torch.cuda.get_device_name(torch.device(device))
    return f"{platform.processor() or platform.machine()} x{os.cpu_count()} CPU"


class Student:
    """`detect(frames)` -> per-frame instances. `fp16`: auto (on CUDA) | true | false."""

    @classmethod
    def from_config(cls, run_dir: str | Path | None, s: dict) -> "Student":
        """The student of a training run dir with the detect settings `s` (device, fp16, batch,
        threshold, sliced, slice: conf/detect.yaml's keys), each checked with one clear error."""
        from kicky.cli import number
        if not run_dir:
            raise KickyError("run= is required: the training run dir of the student, "
                             "e.g. run=outputs/train/small384_classes3")
        return cls(StudentRun.load(run_dir), device=str(s["device"]), fp16=s["fp16"],
                   threshold=number(s, "threshold", float, 0.0, 1.0), batch=number(s, "batch", int, 1),
                   sliced=dict(s.get("slice") or {}, enabled=bool(s.get("sliced"))))

    def __init__(self, run: StudentRun, device: str = "auto", fp16: str | bool = "auto", threshold: float = 0.3,
                 batch: int = 8, sliced: dict | None = None):
        import rfdetr
        import torch
        self.run, self.threshold, self.batch = run, float(threshold), max(int(batch), 1)
        self.sliced = sliced if sliced and sliced.get("enabled") else None
        self.device = pick_device(device)
        if not hasattr(rfdetr, run.rfdetr):
            raise KickyError(f"{run.path}/config.yaml names model {run.rfdetr!r}, which rfdetr does not have")
        self.model = getattr(rfdetr, run.rfdetr)(pretrain_weights=str(run.checkpoint), device=self.device,
                                                 resolution=run.res, num_classes=len(run.classes))
        names = self.model.class_names
        if len(names) != len(run.classes):
            raise KickyError(f"checkpoint {run.checkpoint} has classes {names}, the run's metrics.json "
                             f"{run.classes}: the run dir is inconsistent")
        self.classes = list(run.classes)   # one class map: contiguous class_id i -> run.classes[i]
        self.dtype = "fp32"
        want_half = fp16 is True or str(fp16).lower() == "true" or (str(fp16) == "auto" and self.device.startswith("cuda"))
        if want_half:
            if not self.device.startswith("cuda"):
                raise KickyError("fp16=true needs a CUDA device: use fp16=auto or device=cuda")
            try:
                self.model.inference(compile=False, dtype=torch.float16)
                self._predict([np.zeros((run.res, run.res, 3), np.uint8)])
                self.dtype = "fp16"
            except Exception as e:   # an op without a half kernel: fall back, say so
                log.warning("fp16 inference failed (%s: %s); using fp32", e.__class__.__name__, e)
                self.model.remove_optimized_model()

    @property
    def fingerprint(self) -> str:
        blob = json.dumps({"checkpoint": self.run.checksum, "res": self.run.res, "classes": self.classes,
                           "threshold": self.threshold, "sliced": self.sliced}, sort_keys=True)
        return hashlib.sha1(blob.encode()).hexdigest()[:12]

    def describe(self) -> dict:
        return {"run": str(self.run.path), "checkpoint": self.run.checksum, "model": self.run.rfdetr,
                "res": self.run.res, "device": self.device, "machine": machine(self.device), "dtype": self.dtype,
                "batch": self.batch, "threshold": self.threshold, "sliced": self.sliced}

    def _predict(self, images: list[np.ndarray]):
        return self.model.predict(images, threshold=self.threshold, include_source_image=False)

    def _instances(self, det, shape: tuple[int, int]) -> list[Instance]:
        out = []
        masks = det.mask if det.mask is not None else [None] * len(det)
        for box, score, cid, m in zip(det.xyxy, det.confidence, det.class_id, masks):
            if not 0 <= int(cid) < len(self.classes):
                continue
            if m is None or not m.any():
                continue   # a box without a mask pixel: nothing for the analysis to use
            out.append(Instance(self.classes[int(cid)], m, float(score), "student",
                                tuple(float(v) for v in box)))
        return out

    def detect(self, frames: np.ndarray | list[np.ndarray], progress=None) -> tuple[Labels, dict]:
        """Per-frame instances of RGB frames, and timing: {frames, seconds, fps, tile_seconds}."""
        frames = list(frames)
        labels: Labels = []
        t0, tile_s = time.perf_counter(), 0.0
        ball = self.classes.index("ball") if "ball" in self.classes else None
        for i in range(0, len(frames), self.batch):
            chunk = frames[i:i + self.batch]
            dets = self._predict(chunk)
            if self.sliced and ball is not None:
                t1 = time.perf_counter()
                s = self.sliced
                dets = [slicer.merge(d, slicer.ball_from_tiles(self._predict, f, ball, s["tile"], s["overlap"],
                                                               s["iou"]), ball, s["iou"])
                        for d, f in zip(dets, chunk)]
                tile_s += time.perf_counter() - t1
            labels.extend(self._instances(d, f.shape[:2]) for d, f in zip(dets, chunk))
            if progress is not None:
                progress(len(chunk))
        if self.device.startswith("cuda"):
            import torch
            torch.cuda.synchronize()
        sec = time.perf_counter() - t0
        return labels, {"frames": len(frames), "seconds": round(sec, 4),
                        "fps": round(len(frames) / sec, 2) if sec > 0 else None,
                        "tile_seconds": round(tile_s, 4)}
