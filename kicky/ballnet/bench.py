"""`python -m kicky.ballnet.bench [width=1920 height=1080 'batch=[16,32]' 'widths=[16,32,64,128]' stride=2]`
(`kicky ballnet-bench`, conf/ballnet_bench.yaml)

Frames/s of the ball specialist on this machine, random weights (speed only): the network alone
(inputs already on the device, CUDA events) per dtype and batch, and the whole detector path
(`BallDetector.detect`: frames from host memory, upload, three-frame stacking, network, peak
decoding, instances) on synthetic frames. Prints one table; `json=<file>` writes the numbers."""
from __future__ import annotations

import json
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

import numpy as np

import hydra
from omegaconf import DictConfig

from kicky.checks import number
from kicky.cli import call
from kicky.core.config import CONF_PATH


def network_fps(model, x, reps: int) -> float:
    import torch
    with torch.inference_mode():
        for _ in range(3):
            model(x)
        if x.is_cuda:
            torch.cuda.synchronize()
        t0 = time.perf_counter()
        for _ in range(reps):
            model(x)
        if x.is_cuda:
            torch.cuda.synchronize()
    return len(x) * reps / (time.perf_counter() - t0)


def run(conf: dict) -> list[dict]:
    import torch

    from kicky.ballnet.detect import BallDetector
    from kicky.ballnet.model import BallNet
    from kicky.detect.student import machine, pick_device
    for k in ("width", "height", "stride", "frames", "reps"):
        number(conf, k, int, 1)
    a = SimpleNamespace(**conf)
    device = pick_device(a.device)
    cuda = device.startswith("cuda")
    model = BallNet(a.widths, a.stride).to(device).eval()
    params = sum(q.numel() for q in model.parameters())
    rows = []
    if cuda:
        torch.backends.cudnn.benchmark = True
        model = model.to(memory_format=torch.channels_last)
    for dtype in (["fp32", "fp16", "bf16"] if cuda else ["fp32"]):
        m = model.to({"fp32": torch.float32, "fp16": torch.float16, "bf16": torch.bfloat16}[dtype])
        for b in a.batch:
            x = torch.randint(0, 256, (b, a.height, a.width, 9), dtype=torch.uint8, device=device).permute(0, 3, 1, 2)
            rows.append({"path": "network", "dtype": dtype, "batch": b, "fps": round(network_fps(m, x, a.reps), 1)})
    with tempfile.TemporaryDirectory() as tmp:
        torch.save({"model": BallNet(a.widths, a.stride).state_dict(), "model_conf": model.config(),
                    "decode": {"k": 1, "threshold": 0.0}}, Path(tmp) / "best.pt")
        (Path(tmp) / "config.yaml").write_text("{}\n")
        rng = np.random.default_rng(0)
        frames = [rng.integers(0, 256, (a.height, a.width, 3), np.uint8) for _ in range(8)]
        for b in a.batch:
            det = BallDetector(tmp, device=device, batch=b)
            det.detect(frames[:4] * 4)                               # warm-up (cudnn autotune)
            _, timing = det.detect(frames * (a.frames // 8))
            rows.append({"path": "detector", "dtype": det.dtype, "batch": b, "fps": timing["fps"]})
    print(f"ballnet {a.widths} stride {a.stride} ({params / 1e6:.2f} M parameters), {a.width}x{a.height}, "
          f"{machine(device)}:")
    for r in rows:
        print(f"  {r['path']:9s} {r['dtype']:5s} batch {r['batch']:3d}: {r['fps']:8.1f} frames/s")
    if a.json:
        Path(a.json).write_text(json.dumps({"machine": machine(device), "width": a.width, "height": a.height,
                                            "widths": a.widths, "stride": a.stride, "parameters": params, "rows": rows},
                                           indent=1))
    return rows


@hydra.main(version_base="1.3", config_path=CONF_PATH, config_name="ballnet_bench")
def main(cfg: DictConfig) -> None:
    call(run, cfg)


if __name__ == "__main__":
    main()
