"""The `detect` stage: a trained student over whole clips, cached per clip in the teacher's label
format (`<out>/<clip_id>/labels.json`), so the analysis and the evaluation read student detections
and teacher labels alike. Resumable: a clip already detected with the same checkpoint and settings
is skipped. Each cache header records the detector's throughput on the machine it ran on, and (for
simulated clips) precision / recall per class against truth, so the sliced pass's ball recall and
its fps cost can be read off two runs."""
from __future__ import annotations

import time
from pathlib import Path

from kicky.io.atomic import write_json


def clip_totals(heads: list[dict], classes: list[str]) -> dict:
    frames = sum(h["detector"]["frames"] for h in heads)
    sec = sum(h["detector"]["seconds"] for h in heads)
    q = {c: {k: sum(h.get("quality", {}).get(c, {}).get(k, 0) for h in heads) for k in ("tp", "n_pred", "n_truth")}
         for c in classes}
    quality = {c: {"precision": v["tp"] / v["n_pred"] if v["n_pred"] else None,
                   "recall": v["tp"] / v["n_truth"] if v["n_truth"] else None} for c, v in q.items()}
    return {"clips": len(heads), "frames": frames, "seconds": round(sec, 3),
            "fps": round(frames / sec, 2) if sec else None,
            "tile_seconds": round(sum(h["detector"].get("tile_seconds", 0.0) for h in heads), 3),
            "tiles": sum(h["detector"].get("tiles", 0) for h in heads),
            "quality": quality if any(v["n_truth"] for v in q.values()) else None}


def pending(conf: dict, fp: str) -> tuple[list, dict, list]:
    """The clips a detector runs over (clips=, narrowed by data= and splits=), the cache headers of
    those already detected in out= with fingerprint `fp`, and those still to do (the resume rule
    every detect stage shares)."""
    from kicky.core import store
    from kicky.core.clips import find_clips, split_done
    from kicky.dataset.splits import keep_clips

    out = Path(conf["out"])
    clips = keep_clips(find_clips(conf["clips"]), conf["clips"], conf.get("data"), conf.get("splits"))
    heads, todo = split_done(clips, lambda c: store.cached(out, c, fp))
    if heads:
        print(f"{len(heads)}/{len(clips)} clips already detected in {out} with this checkpoint, detecting {len(todo)}")
    return clips, heads, todo


def _tiling(s: dict | None) -> str:
    if not s:
        return "off"
    return f"{s['mode']} ({s['tile']} px tiles, overlap {s['overlap']}, classes {', '.join(s['classes'])})"


def run(conf: dict) -> dict:
    from tqdm import tqdm

    from kicky.core import store
    from kicky.core.clips import clip_id, load_clip
    from kicky.core.quality import clip_quality
    from kicky.detect.config import student_settings
    from kicky.detect.student import Student

    student = Student.from_config(conf.get("run"), student_settings(conf, top_level=True))
    fp, out = student.fingerprint, Path(conf["out"])
    clips, heads, todo = pending(conf, fp)
    desc = student.describe()
    print(f"kicky: student {desc['model']} @ {desc['res']}px on {desc['device']} ({desc['dtype']}), batch "
          f"{desc['batch']}, tiled pass {_tiling(student.sliced)}", flush=True)
    with tqdm(total=len(todo), desc="detecting", unit="clip") as bar:
        for p in todo:
            t0 = time.perf_counter()
            clip = load_clip(p, stream=True)      # decoded a batch at a time: any clip length
            labels, timing = student.detect(clip.frames)
            header = {"fingerprint": fp, "source": conf.get("name") or "student", "classes": student.classes,
                      "fps": clip.fps, "height": clip.shape[0], "width": clip.shape[1],
                      "detector": {**desc, **timing, "wall_seconds": round(time.perf_counter() - t0, 3)}}
            if clip.truth is not None:
                header["quality"] = clip_quality(labels, clip.truth, tuple(student.classes))
            heads[clip.clip_id] = store.write(out, clip.clip_id, header, labels)
            bar.set_postfix(fps=timing["fps"])
            bar.update()
    summary = {"detector": desc, "fingerprint": fp, **clip_totals([heads[clip_id(p)] for p in clips], student.classes)}
    write_json(out / "detect.json", summary, indent=1)
    q = summary["quality"]
    extra = "" if not q or "ball" not in q else \
        f"; ball recall {q['ball']['recall'] if q['ball']['recall'] is None else round(q['ball']['recall'], 3)}"
    print(f"kicky: {summary['frames']} frames of {summary['clips']} clips, {summary['fps']} frames/s "
          f"({summary['tiles']} tiles, {summary['tile_seconds']} s){extra} -> {out}")
    return summary
