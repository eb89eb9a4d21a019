"""The same analysis on every detector's output, scored against simulator truth with DESIGN's
metric definitions, per split; and the throughput of detection and analysis on this machine."""
from __future__ import annotations

import time

from kicky.analysis import summarise
from kicky.analysis.scoring import analyse_and_score
from kicky.core.clips import ClipInput
from kicky.core.instances import Labels

SPLITS = ("train", "valid", "test", "overall")


def clip_row(dets: Labels, clip: ClipInput, analysis: dict | None, pose: bool, split: str | None,
             detector: dict | None) -> dict:
    """One clip's scores plus timing: detection seconds (from the detector's own record, None when it
    kept none) and the analysis seconds measured here."""
    t0 = time.perf_counter()
    rep, row = analyse_and_score(dets, clip, analysis, pose, {**clip.truth, "clip_id": clip.clip_id})
    sec = time.perf_counter() - t0
    det_s = (detector or {}).get("seconds")
    row.update(split=split, frames=len(clip), duration_s=len(clip) / clip.fps, analysis_s=sec,
               detect_s=None if det_s is None else float(det_s), shot_found=rep.shot_found)
    return row


def in_split(rows: list[dict], split: str) -> list[dict]:
    return rows if split == "overall" else [r for r in rows if r["split"] == split]


def throughput(rows: list[dict]) -> dict:
    """frames/s of detection (None when the detector kept no timing) and of the analysis; x real-time
    of the analysis alone and end to end (detection + analysis)."""
    frames = sum(r["frames"] for r in rows)
    dur = sum(r["duration_s"] for r in rows)
    ana = sum(r["analysis_s"] for r in rows)
    det = None if not rows or any(r["detect_s"] is None for r in rows) else sum(r["detect_s"] for r in rows)
    rnd = lambda v, n=2: None if v is None else round(v, n)  # noqa: E731
    return {"frames": frames, "detect_fps": rnd(frames / det if det else None),
            "analysis_fps": rnd(frames / ana if ana else None),
            "analysis_x_realtime": rnd(dur / ana if ana else None),
            "x_realtime": rnd(dur / (det + ana) if det is not None and det + ana > 0 else None)}


def summary(rows: list[dict]) -> dict:
    """Per split: summarise() of the analysis scores."""
    return {s: summarise(in_split(rows, s)) for s in SPLITS}
