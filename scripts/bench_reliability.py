"""Issue 17, item 3: time and peak memory of infer.py against clip length and resolution.

    python scripts/bench_reliability.py --res 640x360 --seconds 5 10 20 60 --paths teacher student
    python scripts/bench_reliability.py --res 3840x2160 --seconds 2 --paths student

Long clips are simulated shots played one after another (kicky.sim at the given size, cut together
with no re-scaling); each measurement is one fresh `infer.py` process under /usr/bin/time (wall
seconds, peak resident set). The student is a nano run trained for a few batches at 96 px: its
quality is irrelevant here, its cost (decode, network, analysis, annotated video) is what scales.
Rows are appended to <work>/rows.jsonl; a row already there is not measured again."""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable


def sh(*args: str, **kw) -> None:
    subprocess.run([PY, *args], cwd=ROOT, check=True, **kw)


def sim(work: Path, w: int, h: int, n: int = 6) -> Path:
    out = work / f"sim_{w}x{h}"
    if not (out / "summary.json").is_file() and not len(list(out.glob("*/truth.json"))) >= n:
        sh("-m", "kicky.sim", f"n_clips={n}", "seed=5", f"out={out}", "sim=default", f"sim.width={w}",
           f"sim.height={h}", "workers=2", "hydra.run.dir=" + str(work / "hydra"))
    return out


def long_clip(work: Path, clips: Path, seconds: float, fps: int = 30) -> Path:
    """The simulated clips one after another until `seconds` long (frames streamed, never all held)."""
    from kicky.io.video import Mp4Writer, probe, read_frames
    dirs = sorted(p.parent for p in clips.glob("*/clip.mp4"))
    info = probe(dirs[0] / "clip.mp4")
    out = work / f"long_{info['width']}x{info['height']}_{seconds:g}s.mp4"
    if out.is_file():
        return out
    n, want = 0, int(round(seconds * fps))
    w = Mp4Writer(str(out) + ".part.mp4", info["width"], info["height"], fps,
                  bitrate=int(6e6 * info["width"] * info["height"] / (1920 * 1080)))
    while n < want:
        for d in dirs:
            for _, f in read_frames(d / "clip.mp4"):
                if n == want:
                    break
                w.write(f)
                n += 1
    w.close()
    os.replace(str(out) + ".part.mp4", out)
    return out


def student(work: Path) -> Path:
    run = work / "student"
    if (run / "checkpoint_best_total.pth").is_file():
        return run
    clips = sim(work, 320, 180)
    h = "hydra.run.dir=" + str(work / "hydra")
    sh("-m", "kicky.teacher", "teacher=oracle", f"clips={clips}", f"out={work / 'labels'}",
       f"reports={work / 'rep'}", "workers=1", h)
    sh("-m", "kicky.dataset", f"labels={work / 'labels'}", f"clips={clips}", f"out={work / 'ds'}",
       f"reports={work / 'rep'}", "dataset.split.train=0.5", "dataset.split.valid=0.25",
       "dataset.split.test=0.25", "dataset.split.seed=2", "dataset.sampling.every=12", h)
    sh("train.py", f"data={work / 'ds'}", f"out={run}", "model=nano", "res=96", "epochs=1", "limit_batches=2",
       "batch_size=2", "logger=none", "run_test=false", h)
    return run


def measure(work: Path, clip: Path, path: str, run: Path | None) -> dict:
    out = work / "infer" / f"{clip.stem}_{path}"
    args = [f"clip={clip}", f"source={path}", f"out={out}", "coach=none"]
    if path == "teacher":
        args += ["teacher=motion"]
    else:
        args += [f"run={run}", "student.device=cpu"]
    r = subprocess.run(["/usr/bin/time", "-f", "%e %M", PY, "infer.py", *args], cwd=ROOT,
                       capture_output=True, text=True)
    wall, rss_kb = r.stderr.strip().splitlines()[-1].split()
    return {"clip": clip.name, "path": path, "rc": r.returncode, "wall_s": float(wall),
            "peak_rss_gb": round(int(rss_kb) / 2**20, 3),
            "verdict": (r.stdout.strip().splitlines() or [""])[-1][:160] if r.returncode == 0 else r.stderr[-300:]}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--res", default="640x360")
    ap.add_argument("--seconds", type=float, nargs="+", default=[5, 10, 20, 60])
    ap.add_argument("--paths", nargs="+", default=["teacher", "student"])
    ap.add_argument("--work", type=Path, default=ROOT / "outputs" / "bench_reliability")
    a = ap.parse_args()
    a.work.mkdir(parents=True, exist_ok=True)
    w, h = (int(v) for v in a.res.split("x"))
    clips = sim(a.work, w, h)
    run = student(a.work) if "student" in a.paths else None
    rows = a.work / "rows.jsonl"
    done = {(d["clip"], d["path"]) for d in map(json.loads, rows.read_text().splitlines())} if rows.is_file() else set()
    for s in a.seconds:
        clip = long_clip(a.work, clips, s)
        for path in a.paths:
            if (clip.name, path) in done:
                continue
            row = {"res": a.res, "seconds": s, **measure(a.work, clip, path, run)}
            print(json.dumps(row), flush=True)
            with open(rows, "a") as f:
                f.write(json.dumps(row) + "\n")


if __name__ == "__main__":
    main()
