"""Simulator settings: one dataclass, validated once, built from the Hydra config."""
from __future__ import annotations

from dataclasses import dataclass, field, fields

from kicky.core.domain import NON_SHOTS, OUTCOMES  # noqa: F401  (re-exported)
from kicky.checks import typed
from kicky.errors import KickyError



@dataclass(frozen=True)
class SimConfig:
    width: int = 1920
    height: int = 1080
    fps: int = 30
    speed_kmh: tuple[float, float] = (30.0, 130.0)
    camera_distance_m: tuple[float, float] = (8.0, 40.0)
    camera_height_m: tuple[float, float] = (1.0, 2.0)
    roll_deg: float = 25.0
    hfov_deg: tuple[float, float] = (60.0, 95.0)
    handheld_prob: float = 0.4
    keeper_prob: float = 0.4
    extra_players: tuple[int, int] = (0, 2)
    outcome_weights: dict = field(default_factory=lambda: {
        "goal": 0.2, "saved": 0.13, "post": 0.13, "over": 0.13, "wide": 0.13, "no_shot": 0.28})
    shutter: tuple[float, float] = (0.25, 0.9)
    noise_sigma: tuple[float, float] = (1.5, 5.0)
    bitrate_bps_1080p: tuple[int, int] = (3_000_000, 8_000_000)
    small_goal_prob: float = 0.2
    balanced: bool = False  # cycle outcomes / feet / non-shot kinds by clip index instead of drawing them

    def __post_init__(self):
        def bad(msg):
            raise KickyError(f"sim config: {msg}")

        typed(self, "sim")

        if self.width <= 0 or self.height <= 0:
            bad(f"resolution must be positive, got {self.width}x{self.height}")
        if self.width % 2 or self.height % 2:
            bad(f"width and height must be even for H.264, got {self.width}x{self.height}")
        if self.fps <= 0:
            bad(f"fps must be positive, got {self.fps}")
        for name in ("speed_kmh", "camera_distance_m", "camera_height_m", "hfov_deg", "shutter",
                     "noise_sigma", "bitrate_bps_1080p", "extra_players"):
            lo, hi = getattr(self, name)
            if lo < 0 or hi < lo:
                bad(f"{name} must be a range [lo, hi] with 0 <= lo <= hi, got {[lo, hi]}")
        if self.speed_kmh[0] <= 0:
            bad(f"speed_kmh must be positive, got {list(self.speed_kmh)}")
        if not (0 < self.hfov_deg[0] and self.hfov_deg[1] < 170):
            bad(f"hfov_deg must lie in (0, 170), got {list(self.hfov_deg)}")
        if self.camera_distance_m[0] < 4:
            bad(f"camera_distance_m must start at >= 4 m, got {list(self.camera_distance_m)}")
        if self.shutter[1] > 1:
            bad(f"shutter is a fraction of the frame interval (<= 1), got {list(self.shutter)}")
        unknown = set(self.outcome_weights) - set(OUTCOMES)
        if unknown:
            bad(f"unknown outcome(s) {sorted(unknown)}; choose from {list(OUTCOMES)}")
        if any(w < 0 for w in self.outcome_weights.values()) or sum(self.outcome_weights.values()) <= 0:
            bad(f"outcome_weights must be >= 0 and not all zero, got {dict(self.outcome_weights)}")
        for p in ("handheld_prob", "keeper_prob", "small_goal_prob"):
            if not 0 <= getattr(self, p) <= 1:
                bad(f"{p} must be a probability in [0, 1], got {getattr(self, p)}")

    @classmethod
    def from_dict(cls, d: dict) -> "SimConfig":
        known = {f.name for f in fields(cls)}
        unknown = set(d) - known
        if unknown:
            raise KickyError(f"sim config: unknown key(s) {sorted(unknown)}; known: {sorted(known)}")
        conv = {k: (tuple(v) if isinstance(v, (list, tuple)) else v) for k, v in d.items()}
        if "outcome_weights" in conv:
            w = conv["outcome_weights"]
            try:
                conv["outcome_weights"] = {str(k): float(v) for k, v in dict(w).items()}
            except (TypeError, ValueError):
                raise KickyError(f"sim.outcome_weights={w!r}: expected {{outcome: weight}} with number weights, "
                                 f"outcomes {list(OUTCOMES)}") from None
        return cls(**conv)

    @property
    def scale(self) -> float:
        """Render size relative to 1080p (bitrate scales with pixel count)."""
        return self.width * self.height / (1920 * 1080)
