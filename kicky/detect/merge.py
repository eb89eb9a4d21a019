"""`python -m kicky.detect.merge base=detections/student ball=detections/ballnet
out=detections/student_ballnet [clips=data/clips] [data=... splits=[test]]`

Per clip: the base source's instances (players, goal and any derived classes) with its ball
instances replaced by the ball source's (e.g. the student for players / goal and the ball specialist
for the ball). Instances are copied as stored (no mask is decoded to merge). The header's detector
sums the two detectors' frames/s records (seconds add up, so x-real-time stays honest) and keeps both;
on simulated clips (truth.json under clips=) quality is recomputed against truth. A clip missing in
either source stops with one line naming it; a rerun skips clips merged from the same two caches."""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

import hydra
import numpy as np
from omegaconf import DictConfig

from kicky.cli import call
from kicky.core.config import CONF_PATH
from kicky.errors import KickyError


class _Stored:
    """An instance as stored in a cache (its JSON), written back unchanged by store.write."""

    def __init__(self, d: dict):
        self.d = d

    def to_json(self) -> dict:
        return self.d


def _clips(root: Path) -> set[str]:
    from kicky.core.store import NAME
    if not root.is_dir():
        raise KickyError(f"no detections at {root}: run the detect stage that makes them first")
    return {p.parent.name for p in root.glob(f"*/{NAME}") if not p.parent.name.startswith(".")}


def _read(root: Path, cid: str) -> dict:
    from kicky.core.store import cache_path
    path = cache_path(root, cid)
    try:
        doc = json.loads(path.read_text())
        doc["frames"]
        return doc
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise KickyError(f"corrupt label cache {path}: {e.__class__.__name__}: {e} (delete it to redo)") from None


def merge_frames(base: list[list[dict]], ball: list[list[dict]], ball_class: str = "ball") -> list[list[dict]]:
    """Per frame: the base's instances other than `ball_class`, then the ball source's `ball_class` ones."""
    return [[d for d in b if d["class"] != ball_class] + [d for d in s if d["class"] == ball_class]
            for b, s in zip(base, ball)]


def _centre_diam(d: dict) -> tuple[float, float, float]:
    from kicky.io.rle import box_and_area
    (x, y, w, h), _ = box_and_area(d["rle"])
    return x + w / 2, y + h / 2, max(w, h)


def pseudo_frames(teacher: list[list[dict]], student: list[list[dict]], hi: float, lo: float,
                  ball_class: str = "ball") -> tuple[list[list[dict]], dict]:
    """Self-training labels (a noisy-student round): per frame the teacher's instances other than the
    ball, and as the ball the student's best one where it scores >= `hi`; else the teacher's ball
    where the student has a ball scoring >= `lo` within one diameter of it (they agree); else none —
    a teacher ball the student, trained on it, does not reproduce even weakly is taken as noise.
    Returns the frames and the counts {student, agreed, dropped, none}."""
    out, n = [], {"student": 0, "agreed": 0, "dropped": 0, "none": 0}
    for tf, sf in zip(teacher, student):
        keep = [d for d in tf if d["class"] != ball_class]
        sb = sorted((d for d in sf if d["class"] == ball_class), key=lambda d: -float(d["score"]))
        tb = max((d for d in tf if d["class"] == ball_class), key=lambda d: float(d["score"]), default=None)
        if sb and float(sb[0]["score"]) >= hi:
            keep.append(sb[0])
            n["student"] += 1
        elif tb is not None:
            tx, ty, td = _centre_diam(tb)
            near = [d for d in sb if float(d["score"]) >= lo
                    and np.hypot(*(np.array(_centre_diam(d)[:2]) - (tx, ty))) <= max(3.0, td)]
            if near:
                keep.append(tb)
                n["agreed"] += 1
            else:
                n["dropped"] += 1
        else:
            n["none"] += 1
        out.append(keep)
    return out, n


def merge_detector(base: dict, ball: dict) -> dict:
    """One timing record for two detectors run one after the other over the same frames."""
    frames = base.get("frames") or ball.get("frames") or 0
    sec = float(base.get("seconds") or 0.0) + float(ball.get("seconds") or 0.0)
    return {"frames": frames, "seconds": round(sec, 4), "fps": round(frames / sec, 2) if sec else None,
            "tile_seconds": base.get("tile_seconds", 0.0), "device": base.get("device") or ball.get("device"),
            "machine": base.get("machine") or ball.get("machine"), "base": base, "ball": ball}


def _quality(frames: list[list[dict]], truth_path: Path, classes: list[str]) -> dict:
    """clip_quality of the merged instances, decoding one frame's masks at a time."""
    from kicky.core.clips import read_truth
    from kicky.core.instances import Instance
    from kicky.core.quality import clip_quality
    truth = read_truth(truth_path)
    lazy = ([Instance.from_json(d) for d in fr if d["class"] in classes] for fr in frames)
    return clip_quality(lazy, truth, tuple(classes))


def run(conf: dict) -> dict:
    from tqdm import tqdm

    from kicky.core import store
    from kicky.dataset.splits import clips_in
    from kicky.detect.run import clip_totals as _summary
    from kicky.io.atomic import write_json

    base_root, ball_root, out = Path(conf["base"]), Path(conf["ball"]), Path(conf["out"])
    bc = str(conf.get("ball_class") or "ball")
    rule = str(conf.get("rule") or "replace")
    if rule not in ("replace", "pseudo"):
        raise KickyError(f"rule={rule!r}: expected replace (the ball source's balls) or pseudo (self-training labels)")
    if rule == "pseudo":
        from kicky.checks import number
        hi, lo = number(conf["pseudo"], "hi", float, 0.0, 1.0), number(conf["pseudo"], "lo", float, 0.0, 1.0)
    counts: dict[str, int] = {}
    quality = str(conf.get("quality") or "all")
    if quality not in ("all", "ball", "none"):
        raise KickyError(f"quality={quality!r}: expected all, ball (the ball class only: fast on 1080p) or none")
    a, b = _clips(base_root), _clips(ball_root)
    if conf.get("splits"):
        if not conf.get("data"):
            raise KickyError("splits= needs data=<built dataset>: its manifest says which clip is in which split")
        keep = clips_in(conf["data"], conf["splits"])
        a, b = a & keep, b & keep
    if not a | b:
        raise KickyError(f"no clip to merge: {base_root} and {ball_root} hold no labels.json (of those splits)")
    for have, lack, src, root in ((a, b, base_root, ball_root), (b, a, ball_root, base_root)):
        miss = sorted(have - lack)
        if miss:
            raise KickyError(f"{len(miss)} clips of {src} are not in {root} (e.g. {miss[0]}): run its detect stage "
                             f"over the same clips, or merge a split both hold (data=... splits=[test])")
    clips = sorted(a)
    heads = {}
    with tqdm(total=len(clips), desc="merging", unit="clip") as bar:
        for cid in clips:
            base, ball = _read(base_root, cid), _read(ball_root, cid)
            key = f"{base.get('fingerprint')}+{ball.get('fingerprint')}+{bc}" + (f"+pseudo{hi},{lo}" if rule == "pseudo" else "")
            fp = hashlib.sha1(key.encode()).hexdigest()[:12]
            done = store.cached(out, cid, fp)
            if done:
                heads[cid] = done
                bar.update()
                continue
            if len(base["frames"]) != len(ball["frames"]):
                raise KickyError(f"{cid}: {len(base['frames'])} frames in {base_root} but {len(ball['frames'])} in "
                                 f"{ball_root}: were they made from the same clip?")
            if rule == "pseudo":
                frames, c = pseudo_frames(base["frames"], ball["frames"], hi, lo, bc)
                for k, v in c.items():
                    counts[k] = counts.get(k, 0) + v
            else:
                frames = merge_frames(base["frames"], ball["frames"], bc)
            classes = list(base.get("classes") or [])
            if bc not in classes:
                classes.insert(0, bc)
            header = {"fingerprint": fp, "source": conf.get("name") or "merged", "classes": classes,
                      "fps": base.get("fps"), "height": base.get("height"), "width": base.get("width"),
                      "detector": merge_detector(base.get("detector") or {}, ball.get("detector") or {}),
                      "merged": {"base": str(base_root), "ball": str(ball_root), "ball_class": bc}}
            truth = Path(conf["clips"]) / cid / "truth.json" if conf.get("clips") else None
            scored = {"all": classes, "ball": [bc], "none": []}[quality]
            if truth is not None and truth.is_file() and scored:
                header["quality"] = _quality(frames, truth, scored)
            heads[cid] = store.write(out, cid, header, [[_Stored(d) for d in fr] for fr in frames])
            bar.update()
    classes = sorted({c for h in heads.values() for c in h.get("classes", [])})
    summary = {"base": str(base_root), "ball": str(ball_root), "rule": rule,
               **({"pseudo": counts} if counts else {}), **_summary([heads[c] for c in clips], {"all": classes, "ball": [bc], "none": []}[quality])}
    write_json(out / "detect.json", summary, indent=1)
    q = (summary["quality"] or {}).get(bc) or {}
    extra = "" if not q else f"; ball precision {q.get('precision')} recall {q.get('recall')}"
    if counts:
        extra += f"; ball frames from the student {counts['student']}, agreed {counts['agreed']}, dropped {counts['dropped']}"
    print(f"kicky: merged {len(clips)} clips ({summary['fps']} frames/s for both detectors){extra} -> {out}")
    return summary


@hydra.main(version_base="1.3", config_path=CONF_PATH, config_name="merge")
def main(cfg: DictConfig) -> None:
    call(run, cfg)


if __name__ == "__main__":
    main()
