"""The trained student (an RF-DETR-Seg run dir from `train.py`) as a detector: frames in batches ->
per-frame instances, on the GPU in fp16 where there is one, else on the CPU in fp32; optionally
with the tiled pass (kicky.detect.slicer) for the ball: a grid over every frame or tiles around the
ball's track, the tiles of a batch of frames in one predict() call."""
from __future__ import annotations

import hashlib
import json
import logging
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml

from kicky.core.config import schema_defaults
from kicky.core.instances import Instance, Labels
from kicky.detect import slicer
from kicky.detect.config import MODES, Slice, student_settings
from kicky.errors import KickyError
from kicky.io.checkpoint import checked

log = logging.getLogger("kicky.detect")
CHECKPOINT = "checkpoint_best_total.pth"


def slice_settings(s: dict | None, res: int, classes: list[str]) -> dict | None:
    """The `slice` settings checked and typed (one clear error naming the key), keys missing from
    `s` taken from the schema (kicky.detect.config.Slice); `tile: null` becomes the model's res (tiles at native scale). None when
    `sliced` is off."""
    from kicky.checks import number
    if not s or not s.get("enabled"):
        return None
    base = schema_defaults(Slice)
    bad = [k for k in s if k not in (*base, "enabled")]
    if bad:
        raise KickyError(f"unknown slice keys {bad}: known are {', '.join(base)}")
    s = {**base, **{k: v for k, v in s.items() if k != "enabled"}}
    key = lambda k: {f"slice.{k}": s[k]}  # noqa: E731
    if s["mode"] not in MODES:
        raise KickyError(f"slice.mode={s['mode']!r}: use one of {', '.join(MODES)}")
    want = [s["classes"]] if isinstance(s["classes"], str) else list(s["classes"] or [])
    unknown = [c for c in want if c not in classes]
    if not want or unknown:
        raise KickyError(f"slice.classes={want}: name one or more of the student's classes {classes}")
    tile = res if s["tile"] is None else number(key("tile"), "slice.tile", int, 16)
    out = {"mode": s["mode"], "tile": tile, "overlap": number(key("overlap"), "slice.overlap", int, 0, tile - 1),
           "iou": number(key("iou"), "slice.iou", float, 0.0, 1.0), "classes": want,
           "batch": None if s["batch"] is None else number(key("batch"), "slice.batch", int, 1)}
    if s["mode"] == "roi":
        out.update(radius=number(key("radius"), "slice.radius", float, 1.0),
                   grow=number(key("grow"), "slice.grow", float, 0.0),
                   lost=number(key("lost"), "slice.lost", int, 1), regrid=number(key("regrid"), "slice.regrid", int, 1),
                   horizon=number(key("horizon"), "slice.horizon", int, 1))
    if tile != res:
        log.warning("slice.tile=%d but the student's res is %d: each tile is resized %.2fx (tile = res sees the "
                    "frame at native scale, as a tiles-trained student learned it)", tile, res, res / tile)
    return out


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
        """The student of a training run dir with the `student` group's settings `s` (device, fp16,
        batch, threshold, sliced, slice: kicky.detect.config.StudentConfig; a stage's whole config
        where it holds them at its top level), each checked with one clear error."""
        from kicky.checks import number
        s = student_settings(s)
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
        self.sliced = slice_settings(sliced, run.res, run.classes)   # checked before the model loads
        self.device = pick_device(device)
        if not hasattr(rfdetr, run.rfdetr):
            raise KickyError(f"{run.path}/config.yaml names model {run.rfdetr!r}, which rfdetr does not have")
        checked(run.checkpoint, f"train the run again or copy {run.checkpoint.name} from where it was trained")
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
        if self.dtype == "fp32":
            # rfdetr's inference copy (export mode, no autograd bookkeeping): the same detections to
            # the last bit, ~12 % more frames/s on 2 CPU cores (benchmarks/speed.md)
            try:
                self.model.inference(compile=False)
            except Exception as e:
                log.warning("rfdetr's inference mode failed (%s: %s); running the training graph",
                            e.__class__.__name__, e)
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

    def _on_device(self, frames: list[np.ndarray]) -> list:
        """The frames the tiles are cut from: on CUDA uploaded once as CHW floats in [0, 1] (the
        tiles are then views on the GPU, no per-tile copy or transfer), else the numpy frames."""
        if not self.device.startswith("cuda"):
            return frames
        import torch
        x = torch.from_numpy(np.stack(frames)).to(self.device, non_blocking=True)
        x = x.permute(0, 3, 1, 2).float().div_(torch.tensor(255.0, device=x.device))
        return list(x)

    def _sliced(self, chunk: list[np.ndarray], dets: list, t0: int, track, n: dict) -> list:
        """The tiled pass over one batch of frames (first frame index t0) merged into their
        full-frame detections `dets`; counts tiles and frames by placement into `n`."""
        s = self.sliced
        H, W = chunk[0].shape[:2]
        ids = [self.classes.index(c) for c in s["classes"]]
        imgs = self._on_device(chunk)
        out, k = [], 0
        while k < len(chunk):   # grid: the whole batch at once; roi: up to `horizon` frames planned from the track
            plans = [("grid", slicer.grid(W, H, s["tile"], s["overlap"]))] * (len(chunk) - k) if track is None \
                else track.plan_ahead(t0 + k, min(s["horizon"], len(chunk) - k))
            tiles = slicer.tiled(self._predict, imgs[k:k + len(plans)], (H, W), [b for _, b in plans], ids,
                                 s["iou"], s["batch"])
            for j, ((kind, boxes), td) in enumerate(zip(plans, tiles)):
                m = slicer.merge(dets[k + j], td, ids, s["iou"])
                if track is not None:
                    track.update(t0 + k + j, slicer.best_centre(m, ids))
                n[kind] += 1
                n["tiles"] += len(boxes)
                out.append(m)
            k += len(plans)
        return out

    def detect(self, frames: np.ndarray | list[np.ndarray], progress=None) -> tuple[Labels, dict]:
        """Per-frame instances of RGB frames (one clip, in order), and timing: {frames, seconds, fps,
        tile_seconds} and, with the tiled pass, tiles (all), tiles_per_frame and frames by placement."""
        if not hasattr(frames, "__getitem__"):
            frames = list(frames)      # an array or kicky.io.frames.VideoFrames is read a batch at a time
        labels: Labels = []
        t0, tile_s = time.perf_counter(), 0.0
        s = self.sliced
        n = {"tiles": 0, "grid": 0, "roi": 0, "none": 0}
        on = bool(s and len(frames) and s["tile"] < max(frames[0].shape[:2]))   # one tile = the whole frame: no pass
        track = None
        if on and s["mode"] == "roi":
            H, W = frames[0].shape[:2]
            track = slicer.BallTrack(W, H, s["tile"], s["overlap"], s["radius"], s["grow"], s["lost"], s["regrid"])
        for i in range(0, len(frames), self.batch):
            chunk = list(frames[i:i + self.batch])
            dets = self._predict(chunk)
            if on:
                t1 = time.perf_counter()
                dets = self._sliced(chunk, dets, i, track, n)
                tile_s += time.perf_counter() - t1
            labels.extend(self._instances(d, f.shape[:2]) for d, f in zip(dets, chunk))
            if progress is not None:
                progress(len(chunk))
        if self.device.startswith("cuda"):
            import torch
            torch.cuda.synchronize()
        sec = time.perf_counter() - t0
        timing = {"frames": len(frames), "seconds": round(sec, 4),
                  "fps": round(len(frames) / sec, 2) if sec > 0 else None, "tile_seconds": round(tile_s, 4)}
        if s:
            timing.update(tiles=n["tiles"], tiles_per_frame=round(n["tiles"] / len(frames), 3) if len(frames) else 0.0,
                          grid_frames=n["grid"], roi_frames=n["roi"])
        return labels, timing
