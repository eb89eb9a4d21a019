"""Choosing the ball among per-frame candidates: link candidates into tracklets (constant-velocity
prediction, Hungarian assignment), then pick the longest chain of time-disjoint, spatially continuous
tracklets that actually moves. Used by the motion teacher; pure functions on centres."""
from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import linear_sum_assignment


@dataclass
class Tracklet:
    frames: list[int] = field(default_factory=list)
    cands: list[int] = field(default_factory=list)   # candidate index within its frame
    pts: list[np.ndarray] = field(default_factory=list)
    weight: float = 1.0   # how much the chain search trusts it (the shot model lowers it beside players)
    reach: float = 0.0    # extra gate while it has one sighting (its blur streak's speed)

    def predict(self, t: int) -> np.ndarray:
        if len(self.pts) < 2:
            return self.pts[-1]
        v = (self.pts[-1] - self.pts[-2]) / max(self.frames[-1] - self.frames[-2], 1)
        return self.pts[-1] + v * (t - self.frames[-1])

    def speed(self) -> float:
        if len(self.pts) < 2:
            return 0.0
        return float(np.linalg.norm(self.pts[-1] - self.pts[-2]) / max(self.frames[-1] - self.frames[-2], 1))

    def span(self) -> float:
        p = np.array(self.pts)
        return float(np.linalg.norm(p.max(0) - p.min(0)))

    def jitter(self) -> float:
        """Median change of velocity over median speed: a flying or rolling ball changes its
        velocity slowly (gravity, drag), a noise spot or a flickering edge jumps about (~1.4)."""
        if len(self.pts) < 3:
            return 0.0
        p, f = np.array(self.pts), np.array(self.frames, float)
        v = np.diff(p, axis=0) / np.diff(f)[:, None]
        a = np.linalg.norm(np.diff(v, axis=0), axis=1)
        return float(np.median(a) / (np.median(np.linalg.norm(v, axis=1)) + 1.0))


def link(cands: list[np.ndarray], gate_px: float, max_gap: int = 2,
         reach: list[np.ndarray] | None = None) -> list[Tracklet]:
    """cands[t] is an (n_t, 2) array of centres. Greedy-optimal frame-to-frame linking. `reach[t]`
    (n_t,): how far beyond the gate a tracklet that has only that one candidate may jump to the
    next frame (a motion-blur streak shows the speed before a second sighting does)."""
    done, active = [], []
    for t, pts in enumerate(cands):
        active = [tr for tr in active if t - tr.frames[-1] <= max_gap + 1 or done.append(tr)]
        used = set()
        if active and len(pts):
            pred = np.array([tr.predict(t) for tr in active])
            d = np.linalg.norm(pred[:, None] - pts[None], axis=2)
            gates = np.array([gate_px + (0.5 * tr.speed() if len(tr.pts) > 1 else tr.reach)
                              for tr in active])[:, None]
            cost = np.where(d <= gates, d, 1e6)
            for i, j in zip(*linear_sum_assignment(cost)):
                if cost[i, j] < 1e6:
                    active[i].frames.append(t), active[i].cands.append(int(j)), active[i].pts.append(pts[j])
                    used.add(int(j))
        for j in range(len(pts)):
            if j not in used:
                first_reach = float(reach[t][j]) if reach is not None else 0.0
                active.append(Tracklet([t], [j], [pts[j]], reach=first_reach))
    return done + active


def best_chain(tracks: list[Tracklet], gate_px: float, min_len: int = 3, min_span: float = 4.0,
               max_gap: int = 12, overlap: int = 3, start=None) -> list[Tracklet]:
    """Longest sequence of time-disjoint tracklets where each starts near where the previous one
    would be, at most `max_gap` frames later or `overlap` frames earlier (a fragmented track's pieces
    share a frame or two; the later piece holds those frames) (tracklets that stay in place count a fifth: noise
    jitters, the ball travels); the chain must move at least `min_span` pixels overall. Only
    tracklets ending in the `max_gap` frames before one starts are tried: linear in clip length.
    `start(tracklet) -> bool`: which tracklets may begin a chain (a flight leaves the kick's spot)."""
    tr = sorted((t for t in tracks if len(t.frames) >= min_len), key=lambda t: t.frames[-1])
    if not tr:
        return []
    ends = [t.frames[-1] for t in tr]
    weight = [len(t.frames) * t.weight * (1.0 if t.span() >= min_span else 0.2) for t in tr]
    best = [w if start is None or start(t) else -np.inf for w, t in zip(weight, tr)]
    prev = [-1] * len(tr)
    for i, a in enumerate(tr):
        for j in range(bisect_left(ends, a.frames[0] - max_gap), i):
            b = tr[j]
            gap = a.frames[0] - b.frames[-1]
            if gap < -overlap or a.frames[0] <= b.frames[0] or a.frames[-1] <= b.frames[-1]:
                continue
            if np.linalg.norm(b.predict(a.frames[0]) - a.pts[0]) <= gate_px * (1 + 0.5 * max(gap, 1)):
                if best[j] + weight[i] > best[i]:
                    best[i], prev[i] = best[j] + weight[i], j
    order = np.argsort(best)[::-1]
    for i in order:
        if not np.isfinite(best[i]):
            break
        chain, k = [], int(i)
        while k >= 0:
            chain.append(tr[k])
            k = prev[k]
        chain = chain[::-1]
        pts = np.concatenate([np.array(c.pts) for c in chain])
        if np.linalg.norm(pts.max(0) - pts.min(0)) >= min_span:
            return chain
    return []
