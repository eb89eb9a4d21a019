"""`python -m kicky.ballnet.detect run=<ballnet run> clips=<clips> out=detections/ballnet
[data=... splits=[test]] [threshold= batch= device=auto fp16=auto scale=1]`

The ball specialist over whole frames at native resolution (or `scale`d), batched: each frame seen
as (t-1, t, t+1), the top-k heatmap peaks (3x3 max-pool NMS) above the threshold become
Instance("ball", mask = the filled ellipse of the predicted box, score, source, box). Output is the
detect stage's: `<out>/<clip>/labels.json` (written atomically; a rerun skips clips done with the
same checkpoint and settings; header with the detector's frames/s and, on simulated clips, its
quality against truth) and `<out>/detect.json`."""
from __future__ import annotations

import hashlib
import json
import queue
import threading
import time
from pathlib import Path

import hydra
import numpy as np
from omegaconf import DictConfig

from kicky.cli import call
from kicky.core.config import CONF_PATH
from kicky.core.instances import Instance, Labels
from kicky.errors import KickyError


def ellipse_mask(box, shape: tuple[int, int]) -> np.ndarray:
    """The filled ellipse inscribed in box (x0, y0, x1, y1) as an (H, W) bool mask: the pixels whose
    centres fall inside; at least the pixel under the box centre."""
    H, W = shape
    x0, y0, x1, y1 = (float(v) for v in box)
    m = np.zeros((H, W), bool)
    cx, cy, rx, ry = (x0 + x1) / 2, (y0 + y1) / 2, max((x1 - x0) / 2, 1e-3), max((y1 - y0) / 2, 1e-3)
    c0, c1 = max(int(np.floor(x0)), 0), min(int(np.ceil(x1)), W)
    r0, r1 = max(int(np.floor(y0)), 0), min(int(np.ceil(y1)), H)
    if c1 > c0 and r1 > r0:
        ys, xs = np.ogrid[r0:r1, c0:c1]
        m[r0:r1, c0:c1] = ((xs + 0.5 - cx) / rx) ** 2 + ((ys + 0.5 - cy) / ry) ** 2 <= 1.0
    if not m[r0:r1, c0:c1].any():
        m[min(max(int(cy), 0), H - 1), min(max(int(cx), 0), W - 1)] = True
    return m


def prefetch(it, depth: int = 4):
    """Iterate `it` in a background thread (video decoding overlaps the network)."""
    q: queue.Queue = queue.Queue(depth)
    end = object()

    def work():
        try:
            for v in it:
                q.put(v)
        except BaseException as e:   # handed over to the consumer
            q.put(e)
        q.put(end)

    threading.Thread(target=work, daemon=True).start()
    while (v := q.get()) is not end:
        if isinstance(v, BaseException):
            raise v
        yield v


class BallDetector:
    """A trained ballnet run as a detector: `detect(frames)` -> (per-frame instances, timing)."""

    def __init__(self, run_dir: str | Path, checkpoint: str = "best", device: str = "auto", fp16="auto",
                 batch: int = 16, threshold: float | None = None, k: int | None = None, scale: float = 1.0,
                 name: str = "ballnet"):
        import torch

        from kicky.ballnet.model import build
        from kicky.detect.student import pick_device
        run_dir = Path(run_dir)
        ckpt = run_dir / f"{checkpoint}.pt"
        if checkpoint not in ("best", "last") or not ckpt.is_file() or not (run_dir / "config.yaml").is_file():
            raise KickyError(f"no trained ballnet at {run_dir} (missing {ckpt.name} or config.yaml): train one with "
                             f"`python -m kicky.ballnet.train out={run_dir}` or point run= at outputs/ballnet/<name>")
        from kicky.io.checkpoint import checked
        checked(ckpt, f"train it again (python -m kicky.ballnet.train out={run_dir}) or copy it again")
        try:
            state = torch.load(ckpt, map_location="cpu", weights_only=False)
            self.model = build(state["model_conf"])
            self.model.load_state_dict(state["model"])
        except Exception as e:
            raise KickyError(f"unreadable ballnet checkpoint {ckpt}: {e.__class__.__name__}: {e}") from None
        h = hashlib.sha1()
        with ckpt.open("rb") as f:
            for block in iter(lambda: f.read(1 << 22), b""):
                h.update(block)
        self.checksum, self.run_dir, self.name = h.hexdigest()[:12], run_dir, name
        decode = state.get("decode") or {}
        self.threshold = float(decode.get("threshold", 0.3) if threshold is None else threshold)
        self.k = int(decode.get("k", 1) if k is None else k)
        self.batch, self.scale = int(batch), float(scale)
        self.device = pick_device(str(device))
        half = fp16 is True or str(fp16).lower() == "true" or (str(fp16).lower() == "auto" and self.device.startswith("cuda"))
        if half and not self.device.startswith("cuda"):
            raise KickyError("fp16=true needs a CUDA device: use fp16=auto or device=cuda")
        self.model = self.model.to(self.device).eval()
        if self.device.startswith("cuda"):
            self.model = self.model.to(memory_format=torch.channels_last)
            torch.backends.cudnn.benchmark = True
        if half:
            self.model = self.model.half()
        self.dtype = "fp16" if half else "fp32"

    @classmethod
    def from_config(cls, s: dict) -> "BallDetector":
        from kicky.checks import number
        if not s.get("run"):
            raise KickyError("run= is required: a ballnet run dir, e.g. run=outputs/ballnet/default")
        thr = None if s.get("threshold") is None else number(s, "threshold", float, 0.0, 1.0)
        k = None if s.get("k") is None else number(s, "k", int, 1)
        return cls(s["run"], str(s.get("checkpoint", "best")), str(s["device"]), s["fp16"], number(s, "batch", int, 1),
                   thr, k, number(s, "scale", float, 0.05, 1.0), str(s.get("name") or "ballnet"))

    @property
    def fingerprint(self) -> str:
        blob = json.dumps({"checkpoint": self.checksum, "threshold": self.threshold, "k": self.k, "scale": self.scale,
                           "name": self.name}, sort_keys=True)
        return hashlib.sha1(blob.encode()).hexdigest()[:12]

    def describe(self) -> dict:
        from kicky.detect.student import machine
        return {"run": str(self.run_dir), "checkpoint": self.checksum, "model": "ballnet", **self.model.config(),
                "device": self.device, "machine": machine(self.device), "dtype": self.dtype, "batch": self.batch,
                "threshold": self.threshold, "k": self.k, "scale": self.scale}

    def _upload(self, window: list[np.ndarray]):
        """The window's frames as one (m+2, H, W, 3) uint8 device tensor. On CUDA through one of two
        pinned host buffers (async copy; a buffer is reused two windows later, after its batch's
        results were read)."""
        import torch
        if not self.device.startswith("cuda"):
            return torch.from_numpy(np.stack(window))
        shape = (self.batch + 2, *window[0].shape)
        if getattr(self, "_pinned", None) is None or self._pinned[0].shape != shape:
            self._pinned = [torch.empty(shape, dtype=torch.uint8).pin_memory() for _ in range(2)]
            self._slot = 0
        buf = self._pinned[self._slot]
        self._slot ^= 1
        host = buf.numpy()
        for i, f in enumerate(window):
            np.copyto(host[i], f)
        return buf[:len(window)].to(self.device, non_blocking=True)

    def _launch(self, window: list[np.ndarray]):
        """Start the network on a window's m triplets; returns what `_collect` turns into top-k
        boxes (m, k, 4) in frame pixels and scores (m, k) once the device is done."""
        import torch
        import torch.nn.functional as F

        from kicky.ballnet.targets import decode
        m = len(window) - 2
        if m < self.batch:   # a clip's last, shorter window: padded to the batch (one shape, no cudnn re-tuning)
            window = window + [window[-1]] * (self.batch - m)
        w = self._upload(window)
        idx = torch.arange(len(window) - 2, device=w.device)[:, None] + torch.arange(3, device=w.device)
        x = w[idx].permute(0, 2, 3, 1, 4).reshape(len(idx), w.shape[1], w.shape[2], 9).permute(0, 3, 1, 2)
        if self.scale != 1.0:
            x = F.interpolate(x.float(), scale_factor=self.scale, mode="bilinear", antialias=True,
                              align_corners=False).clamp(0, 255)
        with torch.inference_mode():
            out = self.model(x)
            boxes, scores = decode(torch.sigmoid(out["heat"].float()), out["offset"], out["size"],
                                   self.model.stride, self.k)
            res = torch.cat([boxes / self.scale, scores[..., None]], -1)[:m]    # (m, k, 5)
        if not self.device.startswith("cuda"):
            return None, res, window[0].shape[:2]
        host = torch.empty(res.shape, dtype=res.dtype, pin_memory=True)
        host.copy_(res, non_blocking=True)
        done = torch.cuda.Event()
        done.record()
        return done, host, window[0].shape[:2]

    def _collect(self, launched) -> list[list[Instance]]:
        done, res, shape = launched
        if done is not None:
            done.synchronize()
        r = res.numpy().copy()
        return [self._instances(f[:, :4], f[:, 4], shape) for f in r]

    def _instances(self, boxes: np.ndarray, scores: np.ndarray, shape: tuple[int, int]) -> list[Instance]:
        H, W = shape
        out = []
        for b, s in zip(boxes, scores):
            if s < self.threshold:
                continue
            b = (max(b[0], 0.0), max(b[1], 0.0), min(b[2], float(W)), min(b[3], float(H)))
            if b[2] <= b[0] or b[3] <= b[1]:
                continue
            out.append(Instance("ball", ellipse_mask(b, shape), float(s), self.name, tuple(float(v) for v in b)))
        return out

    def detect(self, frames) -> tuple[Labels, dict]:
        """Per-frame ball instances of an iterable of RGB frames (decoded as it goes, in a background
        thread), and timing {frames, seconds (the network and its decoding, not the video's), fps,
        warmup_seconds (the first window of a new frame size, run once untimed), decode_seconds}. On CUDA one batch runs on the device while the host prepares the next and
        reads the previous one's peaks."""
        from kicky.ballnet.frames import windows
        labels: Labels = []
        t_all, sec, warm, pending = time.perf_counter(), 0.0, 0.0, None
        for _, window in prefetch(windows(frames, self.batch)):
            if window[0].shape != getattr(self, "_warm_shape", None):   # start-up (cudnn tuning), untimed
                t0 = time.perf_counter()
                self._collect(self._launch(window))
                self._warm_shape, warm = window[0].shape, warm + time.perf_counter() - t0
            t0 = time.perf_counter()
            launched = self._launch(window)          # the device works on this window ...
            if pending is not None:
                labels.extend(self._collect(pending))   # ... while the host reads the last one's peaks
            pending = launched
            sec += time.perf_counter() - t0
        if pending is not None:
            t0 = time.perf_counter()
            labels.extend(self._collect(pending))
            sec += time.perf_counter() - t0
        wall = time.perf_counter() - t_all
        return labels, {"frames": len(labels), "seconds": round(sec, 4),
                        "fps": round(len(labels) / sec, 2) if sec > 0 else None,
                        "warmup_seconds": round(warm, 4), "decode_seconds": round(max(wall - sec - warm, 0.0), 4)}


def run(conf: dict) -> dict:
    from tqdm import tqdm

    from kicky.ballnet.frames import rgb_frames
    from kicky.core import store
    from kicky.core.clips import clip_id, read_truth
    from kicky.core.quality import clip_quality
    from kicky.detect.run import clip_totals as _summary, pending
    from kicky.io.atomic import write_json
    from kicky.io.video import probe

    det = BallDetector.from_config(conf)
    fp, out = det.fingerprint, Path(conf["out"])
    clips, heads, todo = pending(conf, fp)
    desc = det.describe()
    print(f"kicky: ballnet {desc['widths']} stride {desc['stride']} on {desc['device']} ({desc['dtype']}), batch "
          f"{desc['batch']}, top {det.k} peak(s) >= {det.threshold}, scale {det.scale}", flush=True)
    with tqdm(total=len(todo), desc="detecting", unit="clip") as bar:
        for p in todo:
            t0 = time.perf_counter()
            video = p / "clip.mp4" if p.is_dir() else p
            info = probe(video)
            labels, timing = det.detect(rgb_frames(p))
            header = {"fingerprint": fp, "source": det.name, "classes": ["ball"], "fps": info["fps"] or 30.0,
                      "height": info["height"], "width": info["width"],
                      "detector": {**desc, **timing, "wall_seconds": round(time.perf_counter() - t0, 3)}}
            truth = p / "truth.json" if p.is_dir() else None
            if truth is not None and truth.is_file():
                header["quality"] = clip_quality(labels, read_truth(truth), ("ball",))
            heads[clip_id(p)] = store.write(out, clip_id(p), header, labels)
            bar.set_postfix(fps=timing["fps"])
            bar.update()
    summary = {"detector": desc, "fingerprint": fp, **_summary([heads[clip_id(p)] for p in clips], ["ball"])}
    write_json(out / "detect.json", summary, indent=1)
    q = (summary["quality"] or {}).get("ball") or {}
    extra = "" if not q else f"; ball recall {_r(q.get('recall'))} precision {_r(q.get('precision'))}"
    print(f"kicky: {summary['frames']} frames of {summary['clips']} clips, {summary['fps']} frames/s{extra} -> {out}")
    return summary


def _r(v):
    return v if v is None else round(v, 3)


@hydra.main(version_base="1.3", config_path=CONF_PATH, config_name="ballnet_detect")
def main(cfg: DictConfig) -> None:
    call(run, cfg)


if __name__ == "__main__":
    main()
