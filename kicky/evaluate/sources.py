"""The rows of an evaluation: detector sources, each of a kind. `truth`: simulator truth as
detections (the upper bound); `labels`: per-clip label caches (`<path>/<clip_id>/labels.json`: a
teacher's labels or a detector's cached detections); `degraded`: simulator truth degraded the way a
detector fails (missed frames, jitter, false balls, the ball lost when still or at the goal), drawn
from a seeded generator, so the analysis can be measured against its inputs' quality."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from kicky.core import store
from kicky.errors import KickyError

KINDS = ("truth", "labels", "degraded")
# a degraded source's settings and their values for clean truth
DEGRADE = {"drop": 0.0, "jitter_px": 0.0, "false_balls": 0.0, "drop_still": 0.0, "drop_goal": 0.0, "ball_only": False}


class Source:
    """One row of the table. `draws`: the seed of a degraded source's generator ([seed, its place
    among the sources], so a source's draws do not change with the clips or the other sources'
    settings); `pose`: MediaPipe at the kick for this source (None: the evaluation's `pose`)."""

    def __init__(self, name: str, conf: dict, draws: list[int] | None = None):
        self.name, self.kind = name, conf.get("kind")
        if self.kind not in KINDS:
            raise KickyError(f"sources.{name}.kind={self.kind!r}: use one of {', '.join(KINDS)}")
        self.path = Path(conf["path"]) if self.kind == "labels" and conf.get("path") else None
        self.made_by = conf.get("made_by") or "the stage that writes it"
        if self.kind == "labels" and not conf.get("path"):
            raise KickyError(f"sources.{name} has kind labels but no path")
        self.pose = conf.get("pose")
        if self.pose is not None and not isinstance(self.pose, bool):
            raise KickyError(f"sources.{name}.pose must be true or false, got {self.pose!r}")
        self.degrade = None
        if self.kind == "degraded":
            unknown = set(conf) - {"kind", "pose", "made_by", *DEGRADE}
            if unknown:
                raise KickyError(f"sources.{name}: unknown key(s) {sorted(unknown)} for kind degraded; known: "
                                 f"{', '.join(DEGRADE)}, pose")
            self.degrade = {**DEGRADE, **{k: conf[k] for k in DEGRADE if k in conf}}
            self.draws = list(draws if draws is not None else [0, 0])
            if self.pose is None:      # a degraded input measures the ball and goal path, not the pose
                self.pose = False

    def check(self, clip_ids: list[str]) -> None:
        if self.path is None:
            return
        if not self.path.is_dir():
            raise KickyError(f"source {self.name}: {self.path} not found: run {self.made_by} first, "
                             f"or drop it with ~sources.{self.name}")
        missing = [c for c in clip_ids if not store.cache_path(self.path, c).is_file()]
        if missing:
            raise KickyError(f"source {self.name}: no labels for {len(missing)} clip(s) in {self.path} "
                             f"(first: {missing[0]}): run {self.made_by} on these clips")

    def detections(self, clip, classes: list[str]):
        """(per-frame instances, the detector's timing record or None)."""
        if self.kind in ("truth", "degraded"):
            from kicky.core.truth import truth_instances
            dets = truth_instances(clip, classes)
            if self.degrade is not None:
                from kicky.analysis.degrade import degrade
                d = self.degrade
                dets = degrade(dets, np.random.default_rng(self.draws), d["drop"], d["jitter_px"], d["false_balls"],
                               ("ball",) if d["ball_only"] else ("ball", "player", "goal"), d["drop_still"],
                               d["drop_goal"])
            return dets, None
        path = store.cache_path(self.path, clip.clip_id)
        header, labels = store.read_labels(path)
        if len(labels) != len(clip):
            raise KickyError(f"source {self.name}: {path} has {len(labels)} frames, the clip {len(clip)}: "
                             f"stale cache, rerun {self.made_by}")
        return labels, header.get("detector")


def degraded_name(d: dict) -> str:
    """A degradation's default name: its settings that are on, e.g. drop0.3_jitter_px2, ball_only."""
    return "_".join(f"{k}{v:g}" if not isinstance(v, bool) else k for k, v in d.items() if k in DEGRADE and v)


def sources(conf: dict) -> list[Source]:
    """The evaluation's sources: `sources` (name -> settings) in order, then one degraded source per
    entry of `degrade` (a list of degradations, e.g. `degrade='${curve}'`: named by their settings
    unless they give a name). A degraded source draws from [seed, its place in this list]."""
    seed = conf.get("seed", 0)
    named = list((conf.get("sources") or {}).items())
    extra = []
    for d in conf.get("degrade") or []:
        if not isinstance(d, dict) or set(d) - {"name", "pose", *DEGRADE}:
            raise KickyError(f"degrade entries look like {{drop: 0.3, jitter_px: 2, false_balls: 1, drop_still: 0.8, "
                             f"drop_goal: 0.8, ball_only: true}}, got {d}")
        d = {**DEGRADE, **d}
        extra.append((d.pop("name", None) or degraded_name(d), {"kind": "degraded", **d}))
    out = [Source(n, s or {}, [seed, i]) for i, (n, s) in enumerate(named + extra)]
    names = [s.name for s in out]
    if len(set(names)) != len(names):
        dup = next(n for n in names if names.count(n) > 1)
        raise KickyError(f"two sources are named {dup!r}: give one degrade entry a name, e.g. {{name: mine, drop: 0.3}}")
    return out
