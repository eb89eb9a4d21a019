"""`python -m kicky.ballnet.train labels=<label caches> clips=<clips> data=<built dataset>
out=outputs/ballnet/<name> [epochs= batch= lr= crop= device=auto max_minutes= resume=true]`

The ball specialist trained from scratch on cached native-resolution crops of the train clips
(AdamW, linear warmup then cosine, bf16 autocast on CUDA), validated after every epoch on the cached
crops of the valid clips (same crop rule, no augmentation: AP50 / AP / recall / precision of the
top-k peaks against the labelled ball). The run dir gets config.yaml, last.pt (every epoch: a
killed run resumes with resume=true), best.pt (best `monitor`), history.json and metrics.json."""
from __future__ import annotations

import json
import math
import time
from pathlib import Path

import hydra
import numpy as np
from omegaconf import DictConfig

from kicky.cli import call
from kicky.core.config import CONF_PATH
from kicky.errors import KickyError

SPLITS = ("train", "valid")


def check(conf: dict) -> dict:
    """The numeric settings, each checked with one clear error naming the key."""
    from kicky.checks import number
    n = {k: number(conf, k, int, 1) for k in ("epochs", "batch", "crop")}
    n.update(lr=number(conf, "lr", float, 0.0), weight_decay=number(conf, "weight_decay", float, 0.0),
             warmup_steps=number(conf, "warmup_steps", int, 0), min_lr=number(conf, "min_lr", float, 0.0, 1.0),
             workers=number(conf, "workers", int, 1), loader_workers=number(conf, "loader_workers", int, 0))
    for k in ("max_minutes", "limit_steps"):
        n[k] = None if conf.get(k) is None else number(conf, k, float if k == "max_minutes" else int, 0)
    if conf.get("monitor") not in ("val/ball_AP50", "val/ball_AP"):
        raise KickyError(f"monitor={conf.get('monitor')!r}: expected val/ball_AP50 or val/ball_AP")
    for k in ("labels", "clips", "data", "out"):
        if not conf.get(k):
            raise KickyError(f"{k}= is required (see conf/ballnet.yaml)")
    return n


def clip_jobs(conf: dict) -> dict[str, list[tuple[Path, Path]]]:
    """{train|valid: [(clip path, its label cache)]} from the dataset manifest; the test split is left out."""
    from kicky.core.clips import clip_id, find_clips
    from kicky.core.store import cache_path
    from kicky.dataset.splits import clips_in
    paths = find_clips(conf["clips"])
    jobs = {}
    for split in SPLITS:
        keep = clips_in(conf["data"], [split])
        jobs[split] = [(p, cache_path(conf["labels"], clip_id(p))) for p in paths if clip_id(p) in keep]
        if not jobs[split]:
            raise KickyError(f"no clip of {conf['clips']} is in the {split} split of {conf['data']}: "
                             f"point clips= at the clips the dataset was built from")
    missing = [str(lab) for pairs in jobs.values() for _, lab in pairs if not lab.is_file()]
    if missing:
        raise KickyError(f"{len(missing)} train/valid clips have no label cache in {conf['labels']} (e.g. {missing[0]}): "
                         f"label them (python -m kicky.teacher clips=... out={conf['labels']}) or fix labels=")
    return jobs


def augment_conf(augment, boxes) -> dict | None:
    """The train augmentation with `paste.diameter` set from the labelled balls (the median of their
    boxes' longer side; 10 px when there are none): pasted balls take the size the teacher saw."""
    if not augment:
        return None
    a = {k: (dict(v) if hasattr(v, "items") else v) for k, v in dict(augment).items()}
    p = a.get("paste")
    if p and float(p.get("p", 0.0)) > 0:
        if not 0 < float(p["p"]) <= 1:
            raise KickyError(f"augment.paste.p={p['p']}: expected a probability in [0, 1]")
        ok = boxes[np.isfinite(boxes).all(1)] if boxes is not None and len(boxes) else np.zeros((0, 4))
        sides = np.maximum(ok[:, 2] - ok[:, 0], ok[:, 3] - ok[:, 1]) if len(ok) else np.zeros(0)
        p["diameter"] = float(np.median(sides)) if len(sides) else 10.0
    return a


def schedule(step: int, total: int, warmup: int, floor: float, clock: float = 0.0) -> float:
    """The lr factor: linear warmup to 1, then cosine down to `floor`. `clock` (a time-boxed run: the
    share of max_minutes used) moves the cosine on when time, not steps, ends the run first."""
    if step < warmup:
        return (step + 1) / warmup
    p = min(max((step - warmup) / max(total - warmup, 1), clock), 1.0)
    return floor + (1 - floor) * 0.5 * (1 + math.cos(math.pi * p))


def to_device(batch: dict, device: str) -> dict:
    return {k: v.to(device, non_blocking=True) for k, v in batch.items()}


def images(x):
    """(B, H, W, 9) uint8 crops -> (B, 9, H, W), a channels-last view (no copy)."""
    return x.permute(0, 3, 1, 2)


def train_step(model, batch: dict, opt, loss_w: dict, amp: bool) -> tuple[float, dict]:
    """One optimiser step on a device batch; (loss, its terms)."""
    import torch

    from kicky.ballnet.losses import total
    model.train()
    with torch.autocast("cuda", dtype=torch.bfloat16, enabled=amp):
        out = model(images(batch["x"]))
    loss, parts = total(out, batch, loss_w)
    opt.zero_grad(set_to_none=True)
    loss.backward()
    opt.step()
    return float(loss.detach()), parts


def evaluate(model, loader, device: str, amp: bool, loss_w: dict, k: int, threshold: float) -> dict:
    """Valid loss and ball scores of the top-k peaks on every crop of `loader`."""
    import torch

    from kicky.ballnet.losses import total
    from kicky.ballnet.metrics import ball_scores
    from kicky.ballnet.targets import decode
    model.eval()
    boxes, scores, truth, losses = [], [], [], []
    with torch.no_grad():
        for batch in loader:
            b = to_device(batch, device)
            with torch.autocast("cuda", dtype=torch.bfloat16, enabled=amp):
                out = model(images(b["x"]))
            losses.append((float(total(out, b, loss_w)[0]), len(b["x"])))
            bx, sc = decode(torch.sigmoid(out["heat"].float()), out["offset"], out["size"], model.stride, k)
            boxes.append(bx.cpu().numpy())
            scores.append(sc.cpu().numpy())
            truth.append(batch["box"].numpy())
    s = ball_scores(np.concatenate(boxes), np.concatenate(scores), np.concatenate(truth), threshold)
    n = sum(m for _, m in losses)
    return {"val/loss": sum(v * m for v, m in losses) / n, **{f"val/ball_{k_}": v for k_, v in s.items()}}


def _save(path: Path, obj) -> None:
    import torch

    from kicky.io.atomic import replacing
    with replacing(path) as tmp:
        torch.save(obj, tmp)


def run(conf: dict) -> dict:
    import torch
    import yaml
    from torch.utils.data import DataLoader
    from tqdm import tqdm

    from kicky.ballnet import crops
    from kicky.ballnet.model import build
    from kicky.detect.student import machine, pick_device
    from kicky.io.atomic import write_json, write_text

    t_start = time.monotonic()
    n = check(conf)
    out = Path(conf["out"])
    last = out / "last.pt"
    if last.is_file() and not conf.get("resume"):
        raise KickyError(f"{out} already holds a ballnet run (last.pt): resume=true continues it; out=... starts another")
    device = pick_device(str(conf["device"]))
    amp = device.startswith("cuda") and str(conf.get("amp", "auto")).lower() in ("auto", "true")
    torch.manual_seed(int(conf["seed"]))
    model = build(conf["model"])
    jobs = clip_jobs(conf)
    cache = crops.build(jobs, out / "crops", n["crop"], conf["crops"], int(conf["seed"]), n["workers"])
    loss_w = dict(conf["loss"])
    mk = lambda split, aug: crops.CropSet(cache[split], model.stride, aug, int(loss_w.get("max_objs", 4)),  # noqa: E731
                                          int(loss_w.get("min_radius", 1)))
    train_set, valid_set = mk("train", None), mk("valid", None)
    if not len(train_set):
        raise KickyError(f"no train crops (the train clips of {conf['data']} have no frames?)")
    train_set.augment = augment_conf(conf.get("augment"), train_set.boxes())
    n_ball = int(np.isfinite(train_set.boxes()).all(1).sum())
    print(f"kicky: ballnet {model.config()} on {device}{' (bf16)' if amp else ''}: {len(train_set)} train crops "
          f"({n_ball} with the ball) from {len(jobs['train'])} clips, {len(valid_set)} valid crops from "
          f"{len(jobs['valid'])} clips", flush=True)

    model = model.to(device)
    if device.startswith("cuda"):
        model = model.to(memory_format=torch.channels_last)
        torch.backends.cudnn.benchmark = True
    opt = torch.optim.AdamW(model.parameters(), lr=n["lr"], weight_decay=n["weight_decay"])
    per_epoch = math.ceil(len(train_set) / n["batch"])
    if n["limit_steps"]:
        per_epoch = min(per_epoch, n["limit_steps"])
    total_steps = per_epoch * n["epochs"]
    t_train = time.monotonic()
    budget = None if n["max_minutes"] is None else n["max_minutes"] * 60 - (t_train - t_start)

    def clock() -> float:   # the share of the time box left after the crop pass that is used up
        return 0.0 if not budget or budget <= 0 else (time.monotonic() - t_train) / budget

    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: schedule(s, total_steps, n["warmup_steps"], n["min_lr"], clock()))
    history, best, start = [], None, 0
    if conf.get("resume") and last.is_file():
        from kicky.io.checkpoint import checked
        checked(last, "it cannot be resumed: start a new out= (or delete it to train that run again)")
        state = torch.load(last, map_location=device, weights_only=False)
        if state["model_conf"] != model.config():
            raise KickyError(f"{last} is a {state['model_conf']} model, the config asks for {model.config()}: "
                             f"resume with the run's own model settings or choose another out=")
        model.load_state_dict(state["model"])
        opt.load_state_dict(state["opt"])
        sched.load_state_dict(state["sched"])
        history, best, start = state["history"], state["best"], state["epoch"] + 1
        print(f"kicky: resuming {out} after epoch {start} of {n['epochs']}", flush=True)
    elif conf.get("resume"):
        print(f"kicky: resume=true but {last} does not exist yet: starting the run", flush=True)
    if conf.get("init") and not history:
        _init_from(model, Path(str(conf["init"])), device)
    out.mkdir(parents=True, exist_ok=True)
    write_text(out / "config.yaml", yaml.safe_dump(conf, sort_keys=False))

    pin = device.startswith("cuda")
    lw = n["loader_workers"]
    kw = dict(num_workers=lw, pin_memory=pin, persistent_workers=lw > 0, batch_size=n["batch"])
    valid_loader = DataLoader(valid_set, shuffle=False, **kw)
    k, thr = int(conf["decode"]["k"]), float(conf["decode"]["threshold"])
    stopped = None
    for epoch in range(start, n["epochs"]):
        g = torch.Generator().manual_seed(int(conf["seed"]) * 1000 + epoch)
        loader = DataLoader(train_set, shuffle=True, drop_last=len(train_set) >= n["batch"], generator=g, **kw)
        t0, seen, sums, steps = time.perf_counter(), 0, {}, 0
        with tqdm(total=per_epoch, desc=f"epoch {epoch + 1}/{n['epochs']}", unit="step") as bar:
            for batch in loader:
                if steps >= per_epoch:
                    break
                loss, parts = train_step(model, to_device(batch, device), opt, loss_w, amp)
                sched.step()
                steps, seen = steps + 1, seen + len(batch["x"])
                for key, v in {"loss": loss, **parts}.items():
                    sums[key] = sums.get(key, 0.0) + v
                bar.set_postfix(loss=f"{loss:.3f}")
                bar.update()
                if n["max_minutes"] is not None and time.monotonic() - t_start > n["max_minutes"] * 60:
                    stopped = f"max_minutes={n['max_minutes']} reached in epoch {epoch + 1}"
                    break
        sec = time.perf_counter() - t0
        row = {"epoch": epoch + 1, "steps": steps, "lr": opt.param_groups[0]["lr"],
               **{f"train/{key}": v / max(steps, 1) for key, v in sums.items()},
               "images_per_s": round(seen / sec, 1) if sec else None, "seconds": round(sec, 2)}
        row.update(evaluate(model, valid_loader, device, amp, loss_w, k, thr))
        history.append(row)
        score = row.get(conf["monitor"]) or 0.0
        if best is None or score > best["score"]:
            best = {"score": score, "epoch": epoch + 1, "metrics": row}
            _save(out / "best.pt", {"model": model.state_dict(), "model_conf": model.config(), "epoch": epoch + 1,
                                    "metrics": row, "decode": dict(conf["decode"]), "crop": n["crop"]})
        _save(last, {"model": model.state_dict(), "opt": opt.state_dict(), "sched": sched.state_dict(),
                     "model_conf": model.config(), "epoch": epoch, "history": history, "best": best})
        write_json(out / "history.json", history, indent=1)
        print(f"kicky: epoch {epoch + 1}: loss {row.get('train/loss', float('nan')):.4f}, valid AP50 "
              f"{_fmt(row['val/ball_AP50'])} AP {_fmt(row['val/ball_AP'])} recall {_fmt(row['val/ball_recall'])} "
              f"precision {_fmt(row['val/ball_precision'])}", flush=True)
        if stopped:
            print(f"kicky: stopping: {stopped}", flush=True)
            break
    if best is None:
        raise KickyError(f"{out}: no epoch trained (epochs={n['epochs']} already done?)")
    metrics = {"classes": ["ball"], "model": model.config(), "parameters": sum(p.numel() for p in model.parameters()),
               "device": device, "machine": machine(device), "amp": "bf16" if amp else "fp32",
               "epochs_done": len(history), "epochs": n["epochs"], "stopped": stopped, "monitor": conf["monitor"],
               "best_epoch": best["epoch"], "best": best["metrics"], "last": history[-1],
               "train_crops": len(train_set), "valid_crops": len(valid_set),
               "valid_on": "the cached crops of the valid clips (same crop rule as train, no augmentation)",
               "crop": n["crop"], "minutes": round((time.monotonic() - t_start) / 60, 2)}
    write_json(out / "metrics.json", metrics, indent=1)
    print(f"kicky: best epoch {best['epoch']} ({conf['monitor']} {_fmt(best['score'])}) -> {out}/best.pt")
    return metrics


def _init_from(model, path: Path, device: str) -> None:
    """Start from another run's weights (a run dir's best.pt, or a .pt file): fine-tuning, e.g. a
    self-training round on pseudo-labels. Only the weights are taken (a new schedule starts)."""
    import torch

    from kicky.io.checkpoint import checked
    ckpt = path / "best.pt" if path.is_dir() else path
    if not ckpt.is_file():
        raise KickyError(f"init={path}: no ballnet checkpoint there (a run dir with best.pt, or a .pt file)")
    checked(ckpt, "it cannot be used as init=: train that run again")
    state = torch.load(ckpt, map_location=device, weights_only=False)
    if state.get("model_conf") != model.config():
        raise KickyError(f"init={ckpt} is a {state.get('model_conf')} model, the config asks for {model.config()}: "
                         f"use the same model settings as that run")
    model.load_state_dict(state["model"])
    print(f"kicky: starting from the weights of {ckpt} (epoch {state.get('epoch')})", flush=True)


def _fmt(v) -> str:
    return "-" if v is None else f"{v:.3f}"


@hydra.main(version_base="1.3", config_path=CONF_PATH, config_name="ballnet")
def main(cfg: DictConfig) -> None:
    call(run, cfg)


if __name__ == "__main__":
    main()
