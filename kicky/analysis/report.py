"""The shot report: everything the analysis found about a clip, as a dataclass and as JSON."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields


@dataclass
class ShotReport:
    shot_found: bool = False
    message: str = ""                  # what was missing when no shot could be analysed
    n_frames: int = 0
    fps: float = 30.0
    kick_frame: int | None = None
    kicks: list[int] = field(default_factory=list)   # every kick spike
    shooter: str | None = None         # 'P1', ...
    goal: bool = False
    goal_reason: str = ""              # no_ball, no_kick, no_goal_visible, started_at_goal, never_reached_goal,
    goal_confidence: float = 0.0       # rebound, over_or_wide, rest_in_net
    goal_arrival: int | None = None
    speed_kmh: float | None = None
    speed_method: str | None = None
    speed_plain_kmh: float | None = None
    speed_note: str = ""               # why speed_kmh is not a plain measurement (at the cap, no scale)
    kicking_foot: str | None = None    # 'left' / 'right' (the kicker's own)
    foot_method: str | None = None     # pose | runup: the cue that named kicking_foot
    foot_votes: dict = field(default_factory=dict)  # {pose, runup, runup_score}: each cue's answer
    pose_captured: bool = False
    pose_frame: int | None = None
    pose_message: str = ""
    angles: dict = field(default_factory=dict)   # {knee|trunk|hip: {value, good, ok}}
    landmarks: list | None = None      # (33, 2) px at pose_frame
    ball: list = field(default_factory=list)     # per frame {x, y, width, vx, vy, interpolated}
    players: list = field(default_factory=list)  # per frame [{id, box}]
    possession: list = field(default_factory=list)  # per frame player id or None
    possession_timeline: list = field(default_factory=list)  # [{player, start, end}]
    goal_plane: list | None = None     # ball on the goal plane (m) per frame, when the homography ran

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, d: dict) -> "ShotReport":
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in d.items() if k in names})


def verdict(report: dict) -> str:
    """The shot's outcome from the report's own fields: no outcome unless `shot_found`."""
    if not report.get("shot_found"):
        return f"no shot found ({report.get('message') or 'no kick'})"
    return "GOAL" if report.get("goal") else f"NO GOAL ({report.get('goal_reason', '').replace('_', ' ')})"


def speed_text(report: dict) -> str:
    """The shot speed as it may be printed: the note when it is not a plain measurement."""
    sp = report.get("speed_kmh")
    if report.get("speed_note"):
        return report["speed_note"]
    return f"{sp:.0f} km/h" if sp is not None else "speed not measured"
