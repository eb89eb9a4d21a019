"""The motion teacher's ball step, replayed from cached evidence and scored against simulator truth.

Labelling a 1080p clip takes ~40 s on 2 cores, nearly all of it in the per-frame evidence (scene,
candidates, player boxes, median images); the whole-clip ball step (`MotionBackend._ball`: rest
spots, flight, fill) takes a second. So the evidence is cached once per clip and every change to the
ball step, or any teacher.backends.motion setting it reads, is scored in seconds:

    python scripts/teacher_ball_replay.py cache  CACHE CLIP_DIR [CLIP_DIR ...]   # person_model=none
    python scripts/teacher_ball_replay.py score  CACHE CLIPS ['{"rest_first": false}']

`score` prints per clip and in total: ball precision / recall (kicky.core.quality: centre within one
diameter), the frames found before the kick (the ball at rest) and after it, and the box IoU of
the matches. Only the ball step is replayed: a change to the evidence needs `cache` again.
"""
from __future__ import annotations

import json
import pickle
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kicky.core.clips import load_clip  # noqa: E402
from kicky.core.instances import Instance  # noqa: E402
from kicky.core.quality import clip_quality, summarise  # noqa: E402
from kicky.teacher.motion import MotionBackend  # noqa: E402


def cache(out: Path, clip_dir: Path) -> None:
    """Label one clip (ball and players, person_model=none) and pickle the ball step's inputs."""
    f = out / f"{clip_dir.name}.pkl"
    if f.exists():
        return
    be = MotionBackend(person_model="none")
    step, box = be._ball, {}

    def spy(cands, players, medians, warps, scale, H, frames):
        box["args"] = (cands, players, medians, warps, scale, H)
        return step(cands, players, medians, warps, scale, H, frames)

    be._ball = spy
    t0 = time.time()
    clip = load_clip(clip_dir)
    be.label(clip, ("ball", "player"), np.ones((len(clip), 2), bool))
    tmp = f.with_suffix(".tmp")
    tmp.write_bytes(pickle.dumps(box))
    tmp.rename(f)
    print(f"{clip_dir.name}: {time.time() - t0:.0f} s", flush=True)


def _phases(truth: dict, balls: list, kick: int | None) -> dict:
    """Frames with a true ball before / after the kick, and those where the label is on it."""
    c = {"pre": 0, "pre_found": 0, "post": 0, "post_found": 0, "ious": []}
    for t, fr in enumerate(truth["frames"]):
        tb = [d["bbox"] for d in fr["instances"] if d["class"] == "ball"]
        if not tb:
            continue
        x, y, w, h = tb[0]
        phase = "post" if kick is None or t >= kick else "pre"
        c[phase] += 1
        b = balls[t]
        if b is not None and np.hypot(b.centre[0] - x - w / 2, b.centre[1] - y - h / 2) <= max(3.0, np.sqrt(w * h)):
            c[phase + "_found"] += 1
            x0, y0, x1, y1 = b.box
            inter = max(0, min(x1, x + w) - max(x0, x)) * max(0, min(y1, y + h) - max(y0, y))
            c["ious"].append(inter / ((x1 - x0) * (y1 - y0) + w * h - inter))
    return c


def score(cache_dir: Path, clips: Path, params: dict) -> dict:
    counts, tot = [], {"pre": 0, "pre_found": 0, "post": 0, "post_found": 0, "ious": []}
    for f in sorted(cache_dir.glob("*.pkl")):
        cands, players, medians, warps, scale, H = pickle.loads(f.read_bytes())["args"]
        clip = load_clip(clips / f.stem)
        balls = MotionBackend(person_model="none", **params)._ball(cands, players, medians, warps, scale, H,
                                                                   clip.frames)
        truth = clip.truth
        kick = next((t["frame"] for t in truth.get("touches", []) if t["kind"] in ("shot", "pass")), None)
        q = clip_quality([[Instance("ball", b.mask, 1.0, "motion")] if b is not None else [] for b in balls],
                         truth, ("ball",))
        counts.append(q)
        c = _phases(truth, balls, kick)
        for k in tot:
            tot[k] += c[k]
        print(f"{f.stem} {truth.get('outcome')!s:8} kick {kick} ball tp {q['ball']['tp']} / labels "
              f"{q['ball']['n_pred']} / truth {q['ball']['n_truth']}; before the kick {c['pre_found']}/{c['pre']}, "
              f"after {c['post_found']}/{c['post']}", flush=True)
    s = summarise(counts)["ball"]
    ious = np.array(tot.pop("ious"))
    s.update(tot, clips=len(counts), box_iou_median=round(float(np.median(ious)), 3) if len(ious) else None)
    print(json.dumps(s))
    return s


if __name__ == "__main__":
    what, first = sys.argv[1], Path(sys.argv[2])
    if what == "cache":
        first.mkdir(parents=True, exist_ok=True)
        for c in sys.argv[3:]:
            cache(first, Path(c))
    elif what == "score":
        score(first, Path(sys.argv[3]), json.loads(sys.argv[4]) if len(sys.argv) > 4 else {})
    else:
        sys.exit(f"usage: {sys.argv[0]} cache CACHE CLIP_DIR... | score CACHE CLIPS [JSON settings]")
