"""Who has the ball: per-frame possession (player mask grown by a few px meets the ball), the
possession timeline, and the shooter (last touch before the kick)."""
from __future__ import annotations

import numpy as np

from kicky.analysis.balltrack import BallTrack
from kicky.analysis.masks import gap_px
from kicky.core.instances import Instance


def ball_mask_at(track: BallTrack, t: int, shape: tuple[int, int]) -> tuple[np.ndarray, tuple] | None:
    """(mask, box) of the kept ball, or of a disc at the interpolated position."""
    if track.balls[t] is not None:
        return track.balls[t].mask, track.boxes[t]
    if np.isnan(track.xy[t, 0]):
        return None
    r = max(np.nanmedian(track.width) / 2 if np.isfinite(track.width).any() else 1.0, 1.0)
    yy, xx = np.ogrid[:shape[0], :shape[1]]
    x, y = track.xy[t]
    m = (xx + 0.5 - x) ** 2 + (yy + 0.5 - y) ** 2 <= r * r
    return (m, (x - r - 1, y - r - 1, x + r + 1, y + r + 1)) if m.any() else None


def possession(track: BallTrack, players: list[dict[str, Instance]], dilate_px: int) -> list[str | None]:
    """Per frame the id of the player whose mask comes within `dilate_px` of the ball (nearest wins)."""
    out: list[str | None] = []
    for t, row in enumerate(players):
        best, gap = None, float("inf")
        if row:
            shape = next(iter(row.values())).shape
            ball = ball_mask_at(track, t, shape)
            if ball is not None:
                for pid, inst in row.items():
                    g = gap_px(ball[0], inst.mask, dilate_px + 1, ball[1])
                    if g <= dilate_px and g < gap:
                        best, gap = pid, g
        out.append(best)
    return out


def timeline(owner: list[str | None]) -> list[dict]:
    """Runs of possession: [{'player', 'start', 'end'}] (end inclusive)."""
    runs: list[dict] = []
    for t, p in enumerate(owner):
        if p is None:
            continue
        if runs and runs[-1]["player"] == p and runs[-1]["end"] == t - 1:
            runs[-1]["end"] = t
        else:
            runs.append({"player": p, "start": t, "end": t})
    return runs


def shooter(owner: list[str | None], track: BallTrack, players: list[dict[str, Instance]], kick: int,
            lookback: int, near_heights: float) -> str | None:
    """The last player in possession in [kick - lookback, kick], else at kick + 1 (a kick found a
    frame early); else the nearest player to the ball at the kick within `near_heights` of that
    player's height. Frames after the kick come last: a ball flying past a player's mask is no touch."""
    for t in [*range(min(kick, len(owner) - 1), max(kick - lookback, 0) - 1, -1), kick + 1]:
        if 0 <= t < len(owner) and owner[t] is not None:
            return owner[t]
    for t in (kick, kick - 1, kick + 1):
        if 0 <= t < len(players) and players[t] and np.isfinite(track.xy[t, 0]):
            bx, by = track.xy[t]
            best, dist = None, float("inf")
            for pid, inst in players[t].items():
                x0, y0, x1, y1 = inst.box
                d = np.hypot(bx - np.clip(bx, x0, x1), by - np.clip(by, y0, y1)) / max(y1 - y0, 1.0)
                if d <= near_heights and d < dist:
                    best, dist = pid, d
            if best:
                return best
    return None
