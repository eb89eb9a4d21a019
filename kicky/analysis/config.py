"""The analysis settings: one typed schema (these dataclasses, the only source of the defaults;
conf/analysis/default.yaml says the same, tests/test_configs.py holds them to it), overlaid with
whatever the caller passes and checked against it (unknown keys, wrong kinds, bad choices)."""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from kicky.analysis.speed import METHODS
from kicky.core.config import overlay, schema_defaults
from kicky.core.domain import BALL_DIAMETER_M, GOAL_SIZE_M


def _l(*v):
    return field(default_factory=lambda: list(v))


@dataclass(frozen=True)
class Ball:
    min_score: float = 0.2
    move_cost_px: float = 40.0
    size_cost: float = 1.0
    hampel_window: int = 3
    hampel_k: float = 3.0
    hampel_min_px: float = 3.0
    gap_max: int = 6
    spike_min_px: float = 2.0
    spike_min_widths: float = 0.8
    spike_ratio: float = 3.0
    spike_before: int = 4
    spike_after: int = 3
    shot_share: float = 0.5


@dataclass(frozen=True)
class Players:
    min_score: float = 0.3
    iou_min: float = 0.1
    max_lost: int = 15
    near_heights: float = 0.5


@dataclass(frozen=True)
class Possession:
    dilate_px: int = 3
    lookback: int = 15
    near_heights: float = 0.6


@dataclass(frozen=True)
class Vanish:
    enabled: bool = True
    min_frames: int = 2
    tail: int = 10
    fit_frames: int = 5
    horizon: int = 8


@dataclass(frozen=True)
class Goal:
    overlap_min: float = 0.5
    box_margin: float = 0.05
    rest_frames: int = 6
    min_frames: int = 2
    leave_frames: int = 4
    above_margin_px: float = 2.0
    over_frames: int = 2
    beside_margin_px: float = 2.0
    wide_frames: int = 2
    wide_min: int = 2
    homography: bool = False
    vanish: Vanish = field(default_factory=Vanish)
    goal_size_m: list = _l(*GOAL_SIZE_M)


@dataclass(frozen=True)
class Speed:
    method: str = "depth"
    ball_m: float = BALL_DIAMETER_M
    percentile: int = 92
    cap_kmh: float = 140.0
    window: int = 8
    fit_frames: int = 6
    width_frames: int = 12
    before: int = 8
    focal_frac: float = 0.63
    ref_fps: int = 30


@dataclass(frozen=True)
class Foot:
    method: str = "runup"
    run_frames: list = _l(40, 16)
    follow_frames: int = 10
    ball_frames: list = _l(2, 8)
    combined_min: float = 0.1


@dataclass(frozen=True)
class Good:
    knee: list = _l(120.0, 170.0)
    trunk: list = _l(0.0, 25.0)
    hip: list = _l(20.0, 80.0)


@dataclass(frozen=True)
class Pose:
    enabled: bool = True
    pad: float = 1.2
    min_side: int = 384
    neighbours: list = _l(-1, 1, -2)
    vote_span: list = _l(-2, 1)
    model_complexity: int = 1
    mask_others: bool = True
    good: Good = field(default_factory=Good)


@dataclass(frozen=True)
class AnalysisConfig:
    """The `analysis` group; what each value means: conf/analysis/default.yaml's comments."""
    ball: Ball = field(default_factory=Ball)
    players: Players = field(default_factory=Players)
    possession: Possession = field(default_factory=Possession)
    goal: Goal = field(default_factory=Goal)
    speed: Speed = field(default_factory=Speed)
    foot: Foot = field(default_factory=Foot)
    pose: Pose = field(default_factory=Pose)


@lru_cache(maxsize=1)
def _defaults() -> dict:
    return schema_defaults(AnalysisConfig)


CHOICES = {"speed.method": METHODS, "foot.method": ("pose", "runup", "combined")}


def merge(base: dict, over: dict, path: str = "analysis") -> dict:
    """`base` with `over` laid on top, key by key; an unknown key or a value of the wrong kind is a
    user error."""
    return overlay(base, over, path, CHOICES)


def settings(cfg: dict | None = None) -> dict:
    """The full analysis config: defaults with `cfg` (the `analysis` group as a dict) on top."""
    return merge(_defaults(), cfg or {})


def lens_settings(analysis: dict | None, truth: dict) -> dict:
    """The analysis settings with a simulated clip's true focal length (a calibrated lens) as
    speed.focal_frac."""
    a = dict(analysis or {})
    a["speed"] = {**(a.get("speed") or {}), "focal_frac": truth["camera"]["K"][0][0] / truth["width"]}
    return a
