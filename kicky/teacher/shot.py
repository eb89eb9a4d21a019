"""Whole-clip ball reasoning for the motion teacher: what a physicist knows about a shot from a fixed
camera. Pure functions on candidate centres (frame and stabilised coordinates) and player boxes.

- Fixtures: a moving ball crosses any spot of the (stabilised) scene in a few frames; spots that
  give candidates in many frames are flickering edges (windows, posts, lines under exposure drift).
- Player parts: tracklets that spend their life inside or beside a player's box are limbs, not the ball.
- Flight: the chosen chain is extended forwards and backwards, and its gaps filled, with weak
  candidates close to a local ballistic (quadratic in time) prediction.
- Rest: before the kick the ball lies at the shooter's feet, on the backward extension of the flight,
  and is gone once it flies; after the flight it may lie still again on the forward extension."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from kicky.teacher.tracklets import Tracklet, best_chain, link


@dataclass
class ShotParams:
    gate: float                 # linking gate, pixels
    min_track: int = 3
    near_player: float = 0.25   # a player's box grown by this share of its height counts as "beside"
    fill_gap: int = 8           # frames a fill may bridge or extend beyond the chain
    fill_px: float = 0.0        # weak-candidate gate around the prediction, pixels (0: half the gate)
    chain_gap: int = 16         # frames a chain may skip between two tracklets


def fixture_cells(ref_pts: list[np.ndarray], cell: float, frac: float, bins: int = 5) -> set[tuple[int, int]]:
    """Grid cells (stabilised coordinates) holding a candidate in more than `frac` of the frames (at
    least 4) and in at least 3 of `bins` stretches of the clip: a flickering edge comes back all clip
    long, a slow ball passes once."""
    T = len(ref_pts)
    counts: dict[tuple[int, int], int] = {}
    when: dict[tuple[int, int], set] = {}
    for t, pts in enumerate(ref_pts):
        for c in {tuple(x) for x in np.floor(np.asarray(pts).reshape(-1, 2) / cell).astype(int)}:
            counts[c] = counts.get(c, 0) + 1
            when.setdefault(c, set()).add(t * bins // max(T, 1))
    lim = max(4, frac * T)
    return {c for c, n in counts.items() if n > lim and len(when[c]) >= 3}


def beside_players(pt: np.ndarray, boxes: list[tuple[int, int, int, int]], grow: float) -> bool:
    x, y = pt
    for x0, y0, x1, y1 in boxes:
        g = grow * (y1 - y0)
        if x0 - g <= x <= x1 + g and y0 - g <= y <= y1 + g:
            return True
    return False


def at_feet(pt: np.ndarray, box: tuple[int, int, int, int], reach: float = 0.5) -> bool:
    """Could a ball at `pt` lie at the feet of the player in `box`? On the ground: about level with
    the box's bottom (from 0.3 of its height above to 0.25 below), within `reach` heights beside it."""
    x0, y0, x1, y1 = box
    h = y1 - y0
    return bool(x0 - reach * h <= pt[0] <= x1 + reach * h and y1 - 0.3 * h <= pt[1] <= y1 + 0.25 * h)


def choose_chain(pts: list[np.ndarray], boxes: list[list[tuple]], p: ShotParams,
                 reach: list[np.ndarray] | None = None, origin=None) -> list[Tracklet]:
    """Link candidates into tracklets and pick the best chain; tracklets beside players for most of
    their life count for little (limbs and shadows move with the player, the ball leaves them).
    `origin` (first frame, kick frame, (x, y), reach px per frame): the chain must start by leaving
    that spot, within `chain_gap` frames of `first frame` (the spot can look held a few frames past the kick), within
    2 gates of it plus `reach` per frame since the kick (one frame's reach at most before it)."""
    tracks = link(pts, p.gate, reach=reach)
    for tr in tracks:
        near = np.mean([beside_players(q, boxes[t], p.near_player) for t, q in zip(tr.frames, tr.pts)])
        tr.weight = (1.0 - 0.8 * float(near)) / (1.0 + tr.jitter())   # the ball's velocity changes smoothly
    start = None
    if origin is not None:
        t0, kick, at, v = origin
        start = lambda tr: (t0 <= tr.frames[0] <= t0 + p.chain_gap   # noqa: E731
                            and np.linalg.norm(tr.pts[0] - at) <= 2 * p.gate + v * max(tr.frames[0] - kick + 1, 1))
    return best_chain(tracks, p.gate, p.min_track, min_span=2 * p.gate, max_gap=p.chain_gap, start=start)


def _predict(ts: np.ndarray, xy: np.ndarray, t: int, k: int = 6) -> np.ndarray:
    """Position at frame t from the k known frames nearest in time: a quadratic (gravity, drag) when
    there are enough of them on a short span, a line otherwise."""
    order = np.argsort(np.abs(ts - t))[:k]
    tt, pp = ts[order].astype(float), xy[order]
    deg = 2 if len(tt) >= 5 and np.ptp(tt) >= 4 else (1 if len(tt) >= 2 else 0)
    if deg == 0:
        return pp[0]
    return np.array([np.polyval(np.polyfit(tt, pp[:, i], deg), t) for i in range(2)])


def fill(track: dict[int, int], pts: list[np.ndarray], weak: list[np.ndarray], p: ShotParams,
         T: int) -> dict[int, tuple[str, int]]:
    """The chain's frames (t -> ('strong', index)) plus weak candidates near the ballistic prediction
    in its gaps and up to `fill_gap` frames beyond each end (t -> ('weak', index)); an extension stops
    at its first frame without a candidate."""
    out: dict[int, tuple[str, int]] = {t: ("strong", j) for t, j in track.items()}
    if len(out) < 2:
        return out
    r = p.fill_px or 0.5 * p.gate

    def known():
        ts = np.array(sorted(out))
        xy = np.array([(pts if out[t][0] == "strong" else weak)[t][out[t][1]] for t in ts])
        return ts, xy

    def try_at(t: int) -> bool:
        if not len(weak[t]):
            return False
        ts, xy = known()
        pred = _predict(ts, xy, t)
        speed = np.linalg.norm(np.diff(xy[np.argsort(np.abs(ts - t))[:2]], axis=0)) if len(ts) > 1 else 0
        d = np.linalg.norm(weak[t] - pred, axis=1)
        j = int(np.argmin(d))
        if d[j] <= r + 0.25 * speed:
            out[t] = ("weak", j)
            return True
        return False

    ts = sorted(out)
    for a, b in zip(ts, ts[1:]):
        if 1 < b - a <= p.fill_gap + 1:
            for t in range(a + 1, b):
                try_at(t)
    for step, start in ((-1, ts[0]), (1, ts[-1])):
        t = start + step
        while 0 <= t < T and abs(t - start) <= p.fill_gap and try_at(t):
            t += step
    return out


def corridor(start: np.ndarray, direction: np.ndarray, cands: np.ndarray, length: float,
             width: float) -> np.ndarray:
    """Indices of candidates on the ray from `start` along `direction` (unit), within `length` along
    it and `width` across it, nearest first."""
    if not len(cands):
        return np.zeros(0, int)
    d = cands - start
    along = d @ direction
    across = np.abs(d @ np.array([-direction[1], direction[0]]))
    ok = np.nonzero((along >= -width) & (along <= length) & (across <= width))[0]
    return ok[np.argsort(np.linalg.norm(d[ok], axis=1))]


def heading(ts: np.ndarray, xy: np.ndarray, end: str, k: int = 4) -> np.ndarray | None:
    """Unit direction of travel at the chain's first (pointing back in time) or last frames."""
    sel = slice(0, k) if end == "first" else slice(-k, None)
    t, q = ts[sel], xy[sel]
    if len(t) < 2:
        return None
    v = q[-1] - q[0]
    if end == "first":
        v = -v
    n = np.linalg.norm(v)
    return v / n if n > 1e-6 else None


def launch_path(pts: list[np.ndarray], rank_ok: list[np.ndarray], boxes: list[list[tuple]], at: np.ndarray,
                first: int, kick: int, last_start: int, v_max: float, gate: float, max_step: int = 4,
                miss: float = 0.5, beside: float = 0.5, near_player: float = 0.25, late: int = 2,
                slow: float = 0.25, deflect: float = 1.0) -> dict[int, int]:
    """The flight as one path through the clip's few strongest candidates per frame, leaving the rest
    spot `at`: a Viterbi search over (frame, candidate) states with the velocity each state's best
    predecessor gives it. `rank_ok[t]`: which candidates of frame t may be used (the strongest few).
    - Start: a candidate seen between frames `first` and `last_start`, within `v_max` px a frame of the
      spot; one starting more than `late` frames after the kick pays for the frames before it as
      skipped ones (the ball's shadow or a limb leaves later).
    - Steps: at most `max_step` frames on, within a gate (growing with speed and the step) of the
      constant-velocity prediction; a step off it but no faster than the speed so far is a bounce (a
      post, a keeper, the ground) and costs `deflect`; each frame skipped costs `miss`.
    - Reward: 1 - error / gate a state (times `beside` beside a player's box grown by `near_player`
      of its height); a state moving less than `slow` gates a frame earns nothing, up to twice that in
      proportion (clutter drifts, a shot flies; the ball at rest afterwards is `_at_rest`'s).
    The path may end anywhere (the ball leaves the frame, enters the net, stops). Returns {frame:
    candidate index} of the best path."""
    T = len(pts)
    states = [(t, j) for t in range(first, T) for j in np.flatnonzero(rank_ok[t])]
    idx = {s: i for i, s in enumerate(states)}
    score = np.full(len(states), -np.inf)
    vel = np.zeros((len(states), 2))
    prev = np.full(len(states), -1)
    gain = np.array([beside if beside_players(pts[t][j], boxes[t], near_player) else 1.0 for t, j in states])
    for i, (t, j) in enumerate(states):
        q = pts[t][j]
        if t <= last_start:
            dt = max(t - kick + 1, 1)
            if np.linalg.norm(q - at) <= gate + v_max * dt:   # unseen since the kick: as a skipped frame
                score[i], vel[i] = gain[i] - miss * max(0, t - kick - late), (q - at) / dt
        for dt in range(1, max_step + 1):
            tp = t - dt
            if tp < first:
                break
            for jp in np.flatnonzero(rank_ok[tp]):
                k = idx[(tp, jp)]
                if not np.isfinite(score[k]):
                    continue
                speed = np.linalg.norm(vel[k])
                g = gate + 0.3 * speed * dt
                e = np.linalg.norm(pts[tp][jp] + vel[k] * dt - q)
                v = (q - pts[tp][jp]) / dt
                moving = float(np.clip(np.linalg.norm(v) / (slow * gate) - 1.0, 0.0, 1.0)) if slow > 0 else 1.0
                if e <= g:
                    s = score[k] + gain[i] * moving * (1.0 - e / g) - miss * (dt - 1)
                elif deflect > 0 and np.linalg.norm(v) <= speed + gate:   # a bounce (post, keeper, ground)
                    s = score[k] + gain[i] * moving - deflect - miss * (dt - 1)
                else:
                    continue
                if s > score[i]:
                    score[i], vel[i], prev[i] = s, v, k
    if not len(states) or not np.isfinite(score.max()):
        return {}
    out, k = {}, int(np.argmax(score))
    while k >= 0:
        t, j = states[k]
        out[t] = int(j)
        k = int(prev[k])
    return out
