"""Masks to meaning: ball track -> kicks -> players -> possession -> shooter -> goal decision ->
speed -> pose and kicking foot, as one ShotReport. The same for teacher labels, student detections
or simulator truth."""
from __future__ import annotations

from typing import Callable

import numpy as np

from kicky.analysis import balltrack, goal, players, pose, possession, runup, speed
from kicky.analysis.clock import Clock
from kicky.analysis.config import settings
from kicky.analysis.report import ShotReport
from kicky.core.instances import Instance
from kicky.errors import KickyError


def _r(x, n=2):
    return None if x is None or not np.isfinite(x) else round(float(x), n)


def shot_kick(track: balltrack.BallTrack, spikes: list[int], cfg: dict) -> int | None:
    """The shot: the first kick at least `shot_share` as fast as the fastest one."""
    if not spikes:
        return None
    fast = [balltrack.post_speed(track, t, 4) for t in spikes]
    top = max(fast)
    return next(t for t, v in zip(spikes, fast) if v >= cfg["shot_share"] * top)


def _image_wh(detections: list[list[Instance]]) -> tuple[int, int] | None:
    for f in detections:
        for d in f:
            return d.mask.shape[1], d.mask.shape[0]
    return None


def analyse(detections: list[list[Instance]], fps: float, frame_at: Callable[[int], np.ndarray] | None,
            cfg: dict | None = None, times=None) -> ShotReport:
    """The shot report of one clip from its per-frame detections (cfg = the `analysis` group).
    `times`: each frame's time in seconds from the stream (ClipInput.times); without them frames are
    1 / fps apart."""
    c = settings(cfg)
    rep = ShotReport(n_frames=len(detections), fps=float(fps))
    least = 3 + int(c["ball"]["spike_after"])   # a kick has 2 frames before it and spike_after after
    if len(detections) < least:
        n = len(detections)
        rep.message = (f"too short to hold a shot: {n} frame{'' if n == 1 else 's'} ({n / fps:.2f} s), a kick "
                       f"needs {least} or more: give the run-up, the kick and the flight, a second or more")
        rep.goal_reason, rep.goal_confidence = "no_kick", 1.0
        return rep
    wh = _image_wh(detections)
    if wh is None or not detections:
        rep.message, rep.goal_reason, rep.goal_confidence = "no detections in the clip", "no_ball", 1.0
        return rep
    clock = Clock.of(len(detections), fps, times)
    track = balltrack.track_ball(detections, c["ball"], clock)
    people = players.track_players(detections, c["players"])
    owner = possession.possession(track, people, c["possession"]["dilate_px"])
    v = track.velocity
    rep.ball = [{"x": _r(x), "y": _r(y), "width": _r(w), "vx": _r(a), "vy": _r(b), "interpolated": bool(i)}
                for (x, y), w, (a, b), i in zip(track.xy, track.width, v, track.interpolated)]
    rep.players = [[{"id": k, "box": [round(float(z), 1) for z in p.box]} for k, p in row.items()] for row in people]
    rep.possession, rep.possession_timeline = owner, possession.timeline(owner)
    spikes = balltrack.kicks(track, c["ball"])
    rep.kicks = spikes
    kick = shot_kick(track, spikes, c["ball"])
    dec = goal.decide(track, detections, kick, c["goal"])
    rep.goal, rep.goal_reason, rep.goal_confidence = dec.goal, dec.reason, dec.confidence
    rep.goal_arrival, rep.goal_plane = dec.arrival, dec.plane_xy
    missing = []
    if not track.detected.any():
        missing.append("no ball")
    elif kick is None:
        missing.append("no kick")
    if not any(people):
        missing.append("no player")
    if dec.reason == "no_goal_visible":
        missing.append("no goal")
    if kick is None:
        rep.message = "; ".join(missing)
        return rep
    rep.kick_frame = kick
    rep.shooter = possession.shooter(owner, track, people, kick, c["possession"]["lookback"],
                                     c["possession"]["near_heights"])
    if rep.shooter is None and "no player" not in missing:
        missing.append("no shooter near the ball at the kick")
    touched = np.array([o is not None for o in owner])
    rep.speed_kmh, rep.speed_method = speed.shot_speed(track, touched, kick, clock, wh, c["speed"])
    rep.speed_plain_kmh = speed.shot_speed(track, touched, kick, clock, wh, c["speed"], "plain")[0]
    rep.speed_kmh, rep.speed_plain_kmh = _r(rep.speed_kmh), _r(rep.speed_plain_kmh)
    rep.speed_note = speed_note(rep.speed_kmh, c["speed"]["cap_kmh"])
    rep.shot_found = not missing
    rep.message = "; ".join(missing)
    flight = speed.velocity_3d(track, speed.clean_widths(track, touched), kick, wh, c["speed"], clock)
    _pose(rep, track, people, kick, frame_at, wh, c, flight)
    _foot(rep, track, people, kick, wh, c, flight)
    return rep


def speed_note(kmh: float | None, cap: float) -> str:
    """What a reader must know about a speed that is not a plain measurement."""
    if kmh is None:
        return "no usable ball scale: speed not measured"
    if kmh >= cap - 1e-6:
        return f"above {cap:.0f} km/h, not measured reliably"
    return ""


def _foot(rep: ShotReport, track, people, kick: int, wh, c: dict, flight: np.ndarray | None) -> None:
    """Kicking foot by `foot.method`: the pose vote (already in rep), the run-up side, or the run-up
    unless its score is weak (then the pose vote, else the weak run-up)."""
    fc = c["foot"]
    if fc["method"] not in ("pose", "runup", "combined"):
        raise KickyError(f"analysis.foot.method must be pose, runup or combined, got {fc['method']!r}")
    by_pose = rep.kicking_foot
    score = None if rep.shooter is None else runup.runup_score(
        people, rep.shooter, track, kick, wh, fc, c["speed"]["focal_frac"] * wh[0], flight)
    by_run = runup.foot(score)
    rep.foot_votes = {"pose": by_pose, "runup": by_run, "runup_score": _r(score, 3)}
    if fc["method"] == "pose":
        choice = ("pose", by_pose)
    elif fc["method"] == "runup" or by_pose is None:
        choice = ("runup", by_run)
    else:
        choice = ("runup", by_run) if by_run is not None and abs(score) >= fc["combined_min"] else ("pose", by_pose)
    rep.foot_method, rep.kicking_foot = choice if choice[1] is not None else (None, None)


def _pose(rep: ShotReport, track, people, kick: int, frame_at, wh, c: dict, flight: np.ndarray | None) -> None:
    """Fill pose, kicking foot and angles in place (or say why not)."""
    if rep.shooter is None:
        rep.pose_message = "no shooter"
        return
    if frame_at is None or not c["pose"]["enabled"]:
        rep.pose_message = "pose skipped: no frames given" if frame_at is None else "pose disabled"
        return
    pc = c["pose"]
    found = pose.poses_near(frame_at, people, rep.shooter, [kick + d for d in (0, *pc["neighbours"])], pc)
    if not found:
        rep.pose_message = "MediaPipe found no pose around the shooter near the kick"
        return
    t = min(found, key=lambda s: (abs(s - kick), s))
    lm = found[t]
    ball_xy = track.xy[kick] if np.isfinite(track.xy[kick, 0]) else track.xy[t]
    rep.pose_captured, rep.pose_frame, rep.landmarks = True, t, np.round(lm, 1).tolist()
    rep.angles = pose.judged(pose.angles(lm, ball_xy), pc["good"])
    if flight is None or not np.isfinite(ball_xy).all():
        rep.pose_message = "no ball flight to tell the kicker's facing: foot unknown"
        return
    f = c["speed"]["focal_frac"] * wh[0]
    feet = {s: pose.kicking_foot(x, ball_xy, pose.right_axis(x, flight, ball_xy, wh, f)) for s, x in found.items()}
    rep.kicking_foot = pose.vote(feet, kick, tuple(pc["vote_span"]))
