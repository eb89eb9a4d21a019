"""What the coach may say as settled: the measured facts of a ShotReport, the flagged angles with
their good ranges, and the strike frames (kick frame and a few around it, cropped around the
shooter) as JPEG data URIs. Nothing here guesses: a fact the analysis did not measure is absent."""
from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from kicky.analysis.report import speed_text, verdict

REASONS = {"rest_in_net": "in the net", "rebound": "it came back out of the goal mouth",
           "over_or_wide": "over or wide", "never_reached_goal": "it never reached the goal",
           "no_goal_visible": "no goal in view", "started_at_goal": "the ball started at the goal"}
ANGLE_NAMES = {"knee": "support knee", "trunk": "trunk lean", "hip": "hip drive"}


@dataclass(frozen=True)
class Flag:
    """An angle outside its good range: `side` is low or high, `severity` the distance outside it
    as a share of the range's width."""
    name: str
    value: float
    good: tuple[float, float]
    side: str
    severity: float


@dataclass
class Facts:
    shot_found: bool
    message: str = ""
    goal: bool = False
    reason: str = ""                 # the goal decision's reason, in words
    reason_key: str = ""             # ... as the report names it (rest_in_net, over_or_wide, ...)
    shooter: str | None = None
    foot: str | None = None          # the kicker's own left / right
    speed_kmh: float | None = None   # a plain measurement only (None at the cap or without scale)
    speed: str = ""                  # as it may be printed
    angles: dict = field(default_factory=dict)   # {name: {value, good, ok}} when the pose was captured
    flags: list[Flag] = field(default_factory=list)   # worst first

    @classmethod
    def from_report(cls, report: dict) -> "Facts":
        if not report.get("shot_found"):
            return cls(False, message=report.get("message") or "no kick")
        speed = None if report.get("speed_note") else report.get("speed_kmh")
        angles = dict(report.get("angles") or {}) if report.get("pose_captured") else {}
        flags = []
        for name, a in angles.items():
            lo, hi = (float(v) for v in a["good"])
            v = float(a["value"])
            if not a.get("ok", lo <= v <= hi):
                side = "low" if v < lo else "high"
                flags.append(Flag(name, v, (lo, hi), side, (lo - v if side == "low" else v - hi) / max(hi - lo, 1.0)))
        flags.sort(key=lambda f: -f.severity)
        return cls(True, goal=bool(report.get("goal")), reason=REASONS.get(report.get("goal_reason", ""), ""),
                   reason_key=report.get("goal_reason", ""),
                   shooter=report.get("shooter"), foot=report.get("kicking_foot"),
                   speed_kmh=None if speed is None else float(speed), speed=speed_text(report), angles=angles,
                   flags=flags)

    @property
    def result(self) -> str:
        if not self.shot_found:
            return verdict({"shot_found": False, "message": self.message})
        return "GOAL" if self.goal else "no goal" + (f" ({self.reason})" if self.reason else "")

    def lines(self) -> list[str]:
        """The measured facts, one settled statement each; what was not measured is left out."""
        if not self.shot_found:
            return [f"No shot was found in the clip ({self.message})."]
        out = [f"Result: {self.result}."]
        if self.shooter:
            out.append(f"Shooter: {self.shooter}.")
        if self.foot:
            out.append(f"Kicking foot: {self.foot}.")
        out.append(f"Shot speed: {self.speed_kmh:.0f} km/h." if self.speed_kmh is not None else f"Shot speed: {self.speed}.")
        for name, a in self.angles.items():
            lo, hi = a["good"]
            state = "in the good range" if a.get("ok") else "FLAGGED, outside the good range"
            out.append(f"{ANGLE_NAMES.get(name, name).capitalize()} at contact: {a['value']:.0f} degrees "
                       f"(good {lo:.0f}-{hi:.0f}): {state}.")
        if not self.angles:
            out.append("Body angles: not measured (no pose at contact).")
        return out


def strike_frames(report: dict, frame_at: Callable[[int], np.ndarray] | None, offsets=(-2, 0, 2),
                  pad: float = 1.0, side: int = 448, quality: int = 85) -> list[str]:
    """JPEG data URIs of the frames kick + offsets, cropped around the shooter's box grown by `pad`
    box heights each side (square, inside the frame), longest side scaled to `side` px. RGB frames;
    empty when there is no shot, no frame source or no shooter box."""
    import cv2
    kick, shooter = report.get("kick_frame"), report.get("shooter")
    if not report.get("shot_found") or kick is None or frame_at is None:
        return []
    n = int(report.get("n_frames") or 0)
    players = report.get("players") or []
    out = []
    for t in sorted({min(max(kick + o, 0), max(n - 1, 0)) for o in offsets}):
        box = next((p["box"] for p in (players[t] if t < len(players) else []) if p.get("id") == shooter), None)
        if box is None:
            continue
        img = frame_at(t)
        H, W = img.shape[:2]
        x0, y0, x1, y1 = box
        h = max(y1 - y0, 8.0)
        half = (max(x1 - x0, y1 - y0) / 2) + pad * h
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        X0, Y0 = int(max(0, cx - half)), int(max(0, cy - half))
        X1, Y1 = int(min(W, cx + half)), int(min(H, cy + half))
        crop = np.ascontiguousarray(img[Y0:Y1, X0:X1, ::-1])    # RGB -> BGR for OpenCV
        if crop.size == 0:
            continue
        k = side / max(crop.shape[:2])
        crop = cv2.resize(crop, (max(1, round(crop.shape[1] * k)), max(1, round(crop.shape[0] * k))),
                          interpolation=cv2.INTER_CUBIC if k > 1 else cv2.INTER_AREA)
        ok, buf = cv2.imencode(".jpg", crop, [cv2.IMWRITE_JPEG_QUALITY, int(quality)])
        if ok:
            out.append("data:image/jpeg;base64," + base64.b64encode(buf.tobytes()).decode("ascii"))
    return out
