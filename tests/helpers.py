"""Shared test helpers: the one Hydra compose of a config the way its entry point sees it, simulated
clips made to order (one outcome, a close goal, a shortened copy) and a coach report made to order."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from hydra import compose, initialize_config_dir
from omegaconf import OmegaConf

from kicky.sim.config import SimConfig
from kicky.sim.scenario import sample

ROOT = Path(__file__).resolve().parents[1]
CONF = ROOT / "conf"


def compose_conf(name: str, overrides: list[str] | None = None, hydra: bool = False) -> dict:
    """conf/<name>.yaml with `overrides`, resolved to plain data; `hydra`: with Hydra's own settings
    set, as in a run, so `${hydra:...}` interpolations resolve too (the `hydra` key is dropped)."""
    with initialize_config_dir(str(CONF), version_base="1.3"):
        cfg = compose(name, overrides=list(overrides or []), return_hydra_config=hydra)
        if hydra:
            from hydra.core.hydra_config import HydraConfig
            HydraConfig.instance().set_config(cfg)
            return {k: OmegaConf.to_container(cfg[k], resolve=True) if OmegaConf.is_config(cfg[k])
                    else OmegaConf.select(cfg, k) for k in cfg if k != "hydra"}
    return OmegaConf.to_container(cfg, resolve=True)


TEST_SIZE = dict(width=320, height=180)
SHOT_OUTCOMES = ("goal", "saved", "post", "over", "wide")
NON_SHOT_KINDS = ("pass", "dribble", "trap")


def config_for(outcome: str, **kw) -> SimConfig:
    weights = {k: float(k == outcome) for k in (*SHOT_OUTCOMES, "no_shot")}
    return SimConfig(**{**TEST_SIZE, **kw}, outcome_weights=weights)


def find_seed(cfg: SimConfig, want_kind: str | None = None, start: int = 0) -> int:
    """First clip index whose scenario has the wanted kind (scenario sampling only, no rendering)."""
    for i in range(start, start + 200):
        if want_kind is None or sample(cfg, np.random.default_rng([7, i])).kind == want_kind:
            return i
    raise AssertionError(f"no {want_kind} clip in 200 tries")


def render_close_goal(out, seed: int, index: int, distance_m: list[float]):
    """A 640x360 goal clip on a tripod, one shooter, no keeper: (clip dir, truth)."""
    from kicky.sim.clip import render_clip
    cfg = SimConfig(width=640, height=360, outcome_weights={k: float(k == "goal") for k in (*SHOT_OUTCOMES, "no_shot")},
                    handheld_prob=0.0, camera_distance_m=distance_m, extra_players=[0, 0], keeper_prob=0.0)
    s = render_clip(cfg, seed, index, out)
    d = out / s["clip_id"]
    return d, json.loads((d / "truth.json").read_text())


NAMES = ("goal", "saved", "wide", "pass", "dribble", "trap")   # seed 1 puts them in all three splits


def shorten(src, dst, n: int):
    """A copy of simulated clip dir `src` cut to its first `n` frames (clip.mp4 + truth.json)."""
    from kicky.io.video import read_frames, write_mp4
    dst.mkdir(parents=True)
    frames = [f for i, f in read_frames(src / "clip.mp4", range(n))]
    write_mp4(dst / "clip.mp4", frames, 30, 500_000)
    truth = json.loads((src / "truth.json").read_text())
    truth.update(frames=truth["frames"][:n], n_frames=n)
    (dst / "truth.json").write_text(json.dumps(truth))
    return dst


GOOD = {"knee": (120.0, 170.0), "trunk": (0.0, 25.0), "hip": (20.0, 80.0)}


def angle(name: str, state: str) -> dict:
    lo, hi = GOOD[name]
    v = {"low": lo - 15, "ok": (lo + hi) / 2, "high": hi + 15}[state]
    return {"value": v, "good": [lo, hi], "ok": state == "ok"}


def report(goal=True, foot="right", speed=80.0, angles=None, shot=True, reason=None, note="", n=30, kick=10):
    return {"shot_found": shot, "message": "" if shot else "no kick", "n_frames": n, "kick_frame": kick if shot else None,
            "shooter": "P1" if shot else None, "goal": goal and shot,
            "goal_reason": reason or ("rest_in_net" if goal else "over_or_wide"),
            "speed_kmh": speed, "speed_note": note, "kicking_foot": foot, "pose_captured": bool(angles),
            "angles": angles or {}, "clip": None,
            "players": [[{"id": "P2", "box": [100, 20, 120, 70]}, {"id": "P1", "box": [40, 20, 60, 70]}]
                        for _ in range(n)]}


def random_ballnet(run_dir: Path) -> Path:
    """A ballnet run dir holding a tiny random network (k=1 peak per frame, threshold 0): every frame
    gets exactly one ball of ~6 px, so a test can tell its balls from any other source's."""
    import torch
    import yaml

    from kicky.ballnet.model import build
    run_dir.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(0)
    model = build({"widths": [8, 16, 16], "stride": 2, "frames": 3})
    with torch.no_grad():
        model.size[-1].bias.fill_(3.0)               # random weights: boxes of ~6 px, not of zero size
    torch.save({"model": model.state_dict(), "model_conf": model.config(), "epoch": 1,
                "decode": {"k": 1, "threshold": 0.0}}, run_dir / "best.pt")
    (run_dir / "config.yaml").write_text(yaml.safe_dump({"model": model.config()}))
    return run_dir
