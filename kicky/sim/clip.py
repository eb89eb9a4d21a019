"""Render one clip to a directory: clip.mp4 + truth.json, written atomically."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from kicky.io.atomic import staged_dir
from kicky.io.video import Mp4Writer
from kicky.sim.config import SimConfig
from kicky.sim.render import Renderer
from kicky.sim.scenario import sample
from kicky.sim.truth import clip_truth, frame_truth


def clip_id(seed: int, index: int) -> str:
    return f"sim{seed}_{index:05d}"


def clip_rng(seed: int, index: int) -> np.random.Generator:
    """Each clip has its own stream: clip i is the same whatever n_clips or worker count."""
    return np.random.default_rng([seed, index])


def render_clip(cfg: SimConfig, seed: int, index: int, out_dir: str | Path) -> dict:
    """Render clip `index` of `seed` into out_dir/<clip_id>/ and return a one-line summary."""
    cid = clip_id(seed, index)
    scn = sample(cfg, clip_rng(seed, index), index)
    renderer = Renderer(scn)
    frames = []
    with staged_dir(Path(out_dir) / cid, "clip.mp4") as tmp:
        writer = Mp4Writer(tmp / "clip.mp4", cfg.width, cfg.height, cfg.fps, scn.scene["bitrate_bps"])
        for i in range(scn.n_frames):
            fr = renderer.frame(i)
            writer.write(fr.image)
            frames.append(frame_truth(scn, i, fr))
        writer.close()
        truth = clip_truth(scn, frames, cid, [seed, index])
        (tmp / "truth.json").write_text(json.dumps(truth, separators=(",", ":")))
    return summary_of(truth)


def summary_of(truth: dict) -> dict:
    k = truth["kick_frame"]
    diam = truth["frames"][k]["ball"]["diam_px"] if k is not None else None
    return {"clip_id": truth["clip_id"], "kind": truth["kind"], "outcome": truth["outcome"],
            "foot": truth["kicking_foot"], "speed_kmh": truth["speed_kmh"], "n_frames": truth["n_frames"],
            "ball_diam_px_at_kick": diam, "players": len(truth["players"])}
