"""`infer.py clip=<folder>`: every clip of a folder (clip dirs holding clip.mp4, or video files) ->
`<out>/<clip_id>/` as for one clip, the models loaded once. Detection runs here, one clip after the
other (on the GPU where there is one); each detected clip's analysis and annotated mp4 go to one of
`workers` processes, so they overlap the next clip's detection. A clip whose outputs are already in
out= from the same settings is skipped (a killed run resumes); a clip that fails is listed with its
one-line reason and the others go on. `<out>/speed.json` holds where the time went, stage by stage.
"""
from __future__ import annotations

import json
import multiprocessing as mp
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import yaml

from kicky.checks import number
from kicky.errors import KickyError
from kicky.io.atomic import write_json


def is_folder(path) -> bool:
    """A folder of clips (not one simulated clip dir, which holds clip.mp4 itself)."""
    return bool(path) and Path(path).is_dir() and not (Path(path) / "clip.mp4").is_file()


def _clip_conf(conf: dict, clip: Path, out: Path) -> dict:
    from kicky.core.clips import clip_id
    return {**conf, "clip": str(clip), "out": str(out / clip_id(clip))}


def _done(c: dict) -> dict | None:
    """The clip's report when out= holds one written with these same settings."""
    out = Path(c["out"])
    try:
        if yaml.safe_load((out / "config.yaml").read_text()) == c:
            return json.loads((out / "report.json").read_text())
    except (OSError, ValueError, yaml.YAMLError):
        pass
    return None


def _finish(c: dict, labels: list, detector: dict) -> dict:
    """In a worker: load the clip again (streamed) and write its report and video."""
    from kicky.infer.run import clip_of, finish
    return finish(c, clip_of(c), labels, detector)


def stage_table(docs: list[dict], wall: float, workers: int, load: float = 0.0) -> dict:
    """Seconds and frames/s per stage summed over the clips, and end to end (wall clock, from before
    the models load: `load` of it)."""
    frames = sum(d["n_frames"] for d in docs)
    video_s = sum(d["n_frames"] / d["fps"] for d in docs if d.get("fps"))
    det = [d["detector"] for d in docs]
    stages = {"start-up (models loaded, once)": load, "detection (decode + source)": sum(x.get("wall_seconds", 0.0) for x in det),
              "ball pass (ballnet, decode included)": sum((x.get("ballnet") or {}).get("wall_seconds", 0.0) for x in det),
              f"analysis (in {workers} worker{'s' * (workers != 1)})": sum(d["timing"]["analysis_seconds"] for d in docs),
              f"annotated mp4 (decode + draw + encode, in the workers)": sum(d["timing"]["video_seconds"] for d in docs)}
    rows = [{"stage": k, "seconds": round(v, 2), "fps": round(frames / v, 1) if v >= 0.01 and "once" not in k else None}
            for k, v in stages.items()
            if v or "ball pass" not in k]
    return {"clips": len(docs), "frames": frames, "video_seconds": round(video_s, 2), "wall_seconds": round(wall, 2),
            "fps": round(frames / wall, 1) if wall else None,
            "x_realtime": round(video_s / wall, 2) if wall else None, "stages": rows}


def run_folder(conf: dict, on_done=None) -> dict:
    """Infer every clip under conf['clip']; `on_done(doc, out_dir)` after each clip (the coach)."""
    from tqdm import tqdm

    from kicky.core.clips import find_clips
    from kicky.infer.run import Detectors, check, clip_of
    check(conf)
    workers = number({"workers": 2, **conf}, "workers", int, 1)
    clips = find_clips(conf["clip"])
    out = Path(conf.get("out") or "outputs/infer")
    todo, docs, fresh, failed = [], [], [], {}
    for p in clips:
        c = _clip_conf(conf, p, out)
        doc = _done(c)
        (docs.append(doc) if doc else todo.append(c))
    if docs:
        print(f"{len(docs)}/{len(clips)} clips already inferred in {out} with these settings, inferring {len(todo)}")
    t0 = time.perf_counter()
    detectors = Detectors(conf) if todo else None
    load_s = time.perf_counter() - t0
    with ProcessPoolExecutor(workers, mp_context=mp.get_context("spawn")) as pool, \
            tqdm(total=len(todo), desc="clips", unit="clip") as bar:
        pending = []
        for c in todo:
            try:
                labels, detector = detectors(clip_of(c))
            except KickyError as e:
                failed[c["clip"]] = str(e)
                bar.update()
                continue
            pending.append((c, pool.submit(_finish, c, labels, detector)))
        for c, fut in pending:
            try:
                doc = fut.result()
            except KickyError as e:
                failed[c["clip"]] = str(e)
            else:
                docs.append(doc)
                fresh.append(doc)
                if on_done is not None:
                    on_done(doc, Path(c["out"]))
            bar.update()
    wall = time.perf_counter() - t0
    summary = {"folder": str(conf["clip"]), "out": str(out), "source": conf["source"],
               "ballnet": conf.get("ballnet"), "workers": workers,
               "clips": [{"clip_id": d["clip_id"], "goal": d.get("goal"), "message": d.get("message")} for d in docs],
               "failed": failed, "speed": stage_table(fresh, wall, workers, load_s) if fresh else None}
    write_json(out / "speed.json", summary, indent=1)
    print(table(summary))
    if not docs:
        raise KickyError(f"no clip of {conf['clip']} could be inferred: " + "; ".join(failed.values()))
    return summary


def table(summary: dict) -> str:
    s = summary["speed"]
    lines = [f"kicky: {len(summary['clips'])} clips inferred -> {summary['out']}"
             + (f"; {len(summary['failed'])} failed: " + "; ".join(f"{k}: {v}" for k, v in summary["failed"].items())
                if summary["failed"] else "")]
    if s:
        lines += [f"  {r['stage']:58s} {r['seconds']:9.2f} s" + (f"  {r['fps']:8.1f} frames/s" if r["fps"] else "")
                  for r in s["stages"]]
        lines.append(f"  {'end to end (wall clock, stages overlapped)':58s} {s['wall_seconds']:9.2f} s  "
                     f"{s['fps'] or 0:8.1f} frames/s  = {s['x_realtime']}x real-time ({s['frames']} frames, "
                     f"{s['clips']} clips)")
    return "\n".join(lines)
