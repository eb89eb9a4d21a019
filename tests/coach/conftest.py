import numpy as np
import pytest

from kicky.coach import default_conf

GOOD = {"knee": (120.0, 170.0), "trunk": (0.0, 25.0), "hip": (20.0, 80.0)}


def angle(name: str, state: str) -> dict:
    lo, hi = GOOD[name]
    v = {"low": lo - 15, "ok": (lo + hi) / 2, "high": hi + 15}[state]
    return {"value": v, "good": [lo, hi], "ok": state == "ok"}


def report(goal=True, foot="right", speed=80.0, angles=None, shot=True, reason=None, note="", n=30, kick=10):
    return {"shot_found": shot, "message": "" if shot else "no kick", "n_frames": n, "kick_frame": kick if shot else None,
            "shooter": "P1" if shot else None, "goal": goal and shot,
            "goal_reason": reason or ("rest_in_net" if goal else "over_or_wide"),
            "speed_kmh": speed, "speed_note": note, "kicking_foot": foot, "pose_captured": bool(angles),
            "angles": angles or {}, "clip": None,
            "players": [[{"id": "P2", "box": [100, 20, 120, 70]}, {"id": "P1", "box": [40, 20, 60, 70]}]
                        for _ in range(n)]}


@pytest.fixture(scope="session")
def rules_conf():
    return default_conf("rules")


@pytest.fixture(scope="session")
def openai_conf():
    return default_conf("openai")


@pytest.fixture
def frames():
    """Smooth RGB frames whose colour says where a pixel is (red: x, green: y, blue: the frame)."""
    y, x = np.mgrid[0:120, 0:160]
    return np.stack([np.stack([x * 255 // 159, y * 255 // 119, np.full_like(x, t * 8)], -1) for t in range(30)]
                    ).astype(np.uint8)
