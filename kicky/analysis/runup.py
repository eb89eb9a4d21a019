"""The kicking foot from the run-up: a kicker approaches 15-40 deg off the shot line from the side of
the support foot (a right-footed kicker comes from the left of the shot line, seen from behind the
ball). Only the shooter's player boxes and the ball track are needed, no pose.

Two estimates of the same angle, summed (each is the signed sine of the angle, + = right foot):
- image: run-up = velocity of the box's bottom centre (a ground point) over the frames before the
  kick, up to about half a second before contact: from then on the kick itself (the body turning to
  the shot, the kicking leg's back-swing) moves and reshapes the box, which bends the measured
  run-up towards the shot line; shot line = the kicker's own follow-through (box bottom from the
  kick on). Both are ground motions, and a camera that sees the ground from above keeps the
  ground's handedness (mirrored by the image's y-down axis) whether it stands behind, beside or in
  front of the kicker. Boxes cut by the image's edge are left out of both estimates.
- top-down: ground motion in the camera's horizontal plane, depth from size (player: 1 / box height,
  ball: 1 / width), lateral from the image x times depth. The ball's rise does not enter, unlike its
  image direction. The ball's flight is the speed module's 3D fit (`speed.velocity_3d`: a RANSAC
  line through 1 / width, so a leg in front of the ball does not bend it) when there is one, else a
  least-squares fit to the widths of `ball_frames`. The focal length only scales depth, for both
  vectors alike: the sign is free of it."""
from __future__ import annotations

import numpy as np

from kicky.analysis.balltrack import BallTrack
from kicky.core.instances import Instance


def side(run: np.ndarray, shot: np.ndarray) -> float:
    """Signed sine of the angle from the run-up to the shot direction, both in image px (y down):
    > 0 when the kicker came from the left of the shot line (as seen from behind the ball), i.e. the
    right foot kicked; < 0 for the left foot."""
    r, s = np.asarray(run, float), np.asarray(shot, float)
    n = float(np.linalg.norm(r) * np.linalg.norm(s))
    return 0.0 if n < 1e-12 else -float(r[0] * s[1] - r[1] * s[0]) / n


def side_topdown(run: np.ndarray, shot: np.ndarray) -> float:
    """The same for (lateral, depth) vectors in the camera's horizontal plane (x right, depth away)."""
    r, s = np.asarray(run, float), np.asarray(shot, float)
    n = float(np.linalg.norm(r) * np.linalg.norm(s))
    return 0.0 if n < 1e-12 else float(r[0] * s[1] - r[1] * s[0]) / n


def velocity(t: np.ndarray, x: np.ndarray) -> np.ndarray | None:
    """Least-squares velocity of points x (N, 2) at times t (N,), or None with fewer than 3 points."""
    t = np.asarray(t, float)
    x = np.asarray(x, float)
    if len(t) < 3 or np.ptp(t) == 0:
        return None
    tc = t - t.mean()
    return (tc[:, None] * (x - x.mean(0))).sum(0) / (tc ** 2).sum()


def foot(score: float | None) -> str | None:
    return None if score is None or score == 0 else ("right" if score > 0 else "left")


def _boxes(people: list[dict[str, Instance]], shooter: str, frames: range,
           image_wh: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    """(frames, boxes) of the shooter in `frames`, leaving out boxes cut by the image's edge (their
    bottom and height are the frame's, not the player's)."""
    W, H = image_wh
    t = [i for i in frames if 0 <= i < len(people) and shooter in people[i]]
    b = np.array([people[i][shooter].box for i in t], float).reshape(-1, 4)
    inside = (b[:, 0] > 1) & (b[:, 1] > 1) & (b[:, 2] < W - 1) & (b[:, 3] < H - 1)
    return np.array(t, float)[inside], b[inside]


def runup_score(people: list[dict[str, Instance]], shooter: str, track: BallTrack, kick: int,
                image_wh: tuple[int, int], cfg: dict, focal_px: float = 1.0,
                flight: np.ndarray | None = None) -> float | None:
    """Sum of the image and top-down signed sines (+ = right foot), None when neither can be measured
    (cfg = the `foot` section). Top-down depth is focal_px / size (lateral: (x - cx) / size), so depth
    and sideways motion are weighed in the same units. `flight`: the ball's camera-frame velocity
    (x right, y down, z away; any units) computed with the same focal length, if known."""
    a, z = cfg["run_frames"]
    t, b = _boxes(people, shooter, range(kick - a, kick - z + 1), image_wh)
    tf, bf = _boxes(people, shooter, range(kick, kick + cfg["follow_frames"] + 1), image_wh)
    score, got = 0.0, False
    if len(t) >= 3 and len(tf) >= 2:  # image: run-up vs follow-through, box bottom centres
        run = velocity(t, np.c_[(b[:, 0] + b[:, 2]) / 2, b[:, 3]])
        follow = np.array([(bf[-1, 0] + bf[-1, 2]) / 2 - (bf[0, 0] + bf[0, 2]) / 2, bf[-1, 3] - bf[0, 3]])
        if run is not None:
            score, got = score + side(run, follow), True
    cx = image_wh[0] / 2
    shot = None if flight is None else np.array([flight[0], flight[2]], float)
    if flight is None:   # the ball's own widths: depth from 1 / width over `ball_frames`
        ta, tz = cfg["ball_frames"]
        ball_t = [i for i in range(kick + ta, kick + tz + 1) if i < len(track.xy) and np.isfinite(track.xy[i]).all()
                  and np.isfinite(track.width[i]) and track.width[i] > 0]
        if len(ball_t) >= 3:
            w = track.width[ball_t]
            shot = velocity(np.array(ball_t), np.c_[(track.xy[ball_t, 0] - cx) / w, focal_px / w])
    if len(t) >= 3 and shot is not None:  # top-down: depth from player height / ball width
        h = np.maximum(b[:, 3] - b[:, 1], 1.0)
        run = velocity(t, np.c_[((b[:, 0] + b[:, 2]) / 2 - cx) / h, focal_px / h])
        if run is not None:
            score, got = score + side_topdown(run, shot), True
    return score if got else None
