"""`python -m kicky.sim.contact_sheet clips=data/clips out=contact_sheet.png n=12` (`kicky contact-sheet`,
conf/contact_sheet.yaml)

A grid of random clips' kick frames (decoded from the mp4, so compression shows) with the truth
overlaid: goal region blue, players green with joints, ball red with a circle and a 4x inset."""
from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np

import hydra
from omegaconf import DictConfig

from kicky.cli import call
from kicky.core.config import CONF_PATH

from kicky.checks import number
from kicky.errors import KickyError
from kicky.io.rle import decode
from kicky.io.video import read_frames

TILE_W = 480


def overlay(img: np.ndarray, frame: dict, truth: dict) -> np.ndarray:
    out = img.copy()
    colours = {"goal": (255, 90, 0), "player": (60, 220, 60), "ball": (0, 0, 255)}
    for inst in sorted(frame["instances"], key=lambda d: d["class"] != "goal"):
        m = decode(inst["rle"])
        out[m] = (0.55 * out[m] + 0.45 * np.array(colours[inst["class"]])).astype(np.uint8)
    foot = truth["kicking_foot"]
    for pid, rows in frame["joints"].items():
        for name, (u, v, _, vis) in zip(truth["joint_names"], rows):
            hot = foot and int(pid) == truth["shooter"] and name == f"{foot[0]}_ankle"
            cv2.circle(out, (int(u), int(v)), 4 if hot else 1, (0, 255, 255) if hot else (255, 255, 255), -1)
    bu, bv = frame["ball"]["uv"]
    r = max(6, frame["ball"]["diam_px"] * 2)
    cv2.circle(out, (int(bu), int(bv)), int(r), (0, 0, 255), 1, cv2.LINE_AA)
    return out


def tile(clip_dir: Path) -> np.ndarray:
    truth = json.loads((clip_dir / "truth.json").read_text())
    k = truth["kick_frame"] if truth["kick_frame"] is not None else truth["n_frames"] // 2
    img = next(f for _, f in read_frames(clip_dir / "clip.mp4", [k]))
    fr = truth["frames"][k]
    vis = overlay(img, fr, truth)
    H, W = img.shape[:2]
    s = TILE_W / W
    t = cv2.resize(vis, (TILE_W, int(round(H * s))), interpolation=cv2.INTER_AREA)
    # 4x inset of the raw ball region, top-right
    bu, bv = fr["ball"]["uv"]
    half = max(8, int(fr["ball"]["diam_px"] * 2))
    x0, y0 = int(np.clip(bu - half, 0, W - 2 * half)), int(np.clip(bv - half, 0, H - 2 * half))
    crop = img[y0:y0 + 2 * half, x0:x0 + 2 * half]
    if crop.size:
        side = min(120, t.shape[0] // 2)
        inset = cv2.resize(crop, (side, side), interpolation=cv2.INTER_NEAREST)
        t[2:2 + side, TILE_W - side - 2:TILE_W - 2] = inset
        cv2.rectangle(t, (TILE_W - side - 3, 1), (TILE_W - 2, side + 2), (0, 0, 255), 1)
    label = truth["outcome"] if truth["kind"] == "shot" else f"no_shot ({truth['kind']})"
    if truth["kind"] == "shot":
        label += f"  {truth['kicking_foot']} foot  {truth['speed_kmh']:.0f} km/h"
    label += f"  ball {fr['ball']['diam_px']:.1f}px"
    cv2.rectangle(t, (0, t.shape[0] - 22), (TILE_W, t.shape[0]), (0, 0, 0), -1)
    cv2.putText(t, f"{truth['clip_id']}: {label}", (4, t.shape[0] - 6), cv2.FONT_HERSHEY_SIMPLEX, 0.45,
                (255, 255, 255), 1, cv2.LINE_AA)
    return t


def contact_sheet(clips: Path, n: int, seed: int, cols: int = 4) -> np.ndarray:
    dirs = sorted(p.parent for p in Path(clips).glob("*/truth.json"))
    if not dirs:
        raise KickyError(f"no simulated clips (*/truth.json) under {clips}; run python -m kicky.sim first")
    pick = np.random.default_rng(seed).choice(len(dirs), size=min(n, len(dirs)), replace=False)
    tiles = [tile(dirs[i]) for i in sorted(pick)]
    h = max(t.shape[0] for t in tiles)
    tiles = [cv2.copyMakeBorder(t, 0, h - t.shape[0], 0, 0, cv2.BORDER_CONSTANT) for t in tiles]
    tiles += [np.zeros_like(tiles[0])] * (-len(tiles) % cols)
    rows = [np.hstack(tiles[r:r + cols]) for r in range(0, len(tiles), cols)]
    return np.vstack(rows)


def run(conf: dict) -> str:
    sheet = contact_sheet(Path(conf["clips"]), number(conf, "n", int, 1), number(conf, "seed", int))
    out = Path(conf["out"])
    out.parent.mkdir(parents=True, exist_ok=True)
    cv2.imwrite(str(out), sheet)
    print(f"wrote {out} ({sheet.shape[1]}x{sheet.shape[0]})")
    return str(out)


@hydra.main(version_base="1.3", config_path=CONF_PATH, config_name="contact_sheet")
def main(cfg: DictConfig) -> None:
    call(run, cfg)


if __name__ == "__main__":
    main()
