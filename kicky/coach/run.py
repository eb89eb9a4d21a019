"""The `coach` stage: a report.json (and its clip, for the strike frames) -> the coaching text, streamed
to stdout as it arrives, and coach.md."""
from __future__ import annotations

import json
import sys
from pathlib import Path

from kicky.errors import KickyError


def read_report(path) -> dict:
    if not path:
        raise KickyError("report= is required: a report.json written by infer.py")
    p = Path(path)
    try:
        doc = json.loads(p.read_text())
    except FileNotFoundError:
        raise KickyError(f"no report at {p}: run infer.py clip=... first (it writes <out>/report.json)") from None
    except (OSError, ValueError) as e:
        raise KickyError(f"corrupt report {p}: {e.__class__.__name__}: {e}") from None
    if not isinstance(doc, dict) or "shot_found" not in doc:
        raise KickyError(f"{p} is not a shot report (no shot_found field): give the report.json infer.py wrote")
    return doc


def frame_source(clip: str | None):
    """t -> RGB frame of the clip, decoded on demand; None when there is no clip to read."""
    if not clip or not Path(clip).is_file():
        return None
    from kicky.io.video import read_frames

    def frame_at(t: int):
        for _, f in read_frames(clip, [t], fmt="rgb24"):
            return f
        raise KickyError(f"{clip} has no frame {t}: is it the clip the report was made from?")
    return frame_at


def run(conf: dict) -> dict:
    from kicky.coach import markdown, stream
    from kicky.io.atomic import write_text
    report = read_report(conf.get("report"))
    clip = conf.get("clip") or report.get("clip")
    vlm = conf["coach"]["backend"] in ("openai", "llama_cpp")
    frames = frame_source(clip) if vlm else None
    if vlm and frames is None and report.get("shot_found"):
        print(f"kicky: no clip at {clip!r} (clip=...): the model gets the facts without strike frames", file=sys.stderr)
    c = stream(report, frames, conf["coach"])
    for piece in c:
        sys.stdout.write(piece)
        sys.stdout.flush()
    if not c.text.endswith("\n"):
        sys.stdout.write("\n")
    if c.fallback:
        print(f"kicky: coach: {c.fallback}: the rule-based coach's text instead", file=sys.stderr)
    if c.guard.cuts:
        print(f"kicky: coach: the grounding guard cut {len(c.guard.cuts)} sentence(s) that contradicted the facts",
              file=sys.stderr)
    if conf.get("out"):
        write_text(Path(conf["out"]), markdown(c))
    return c.meta
