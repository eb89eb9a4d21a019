"""The weight-free teacher for static or slowly moving cameras.

Evidence per frame: difference to a stabilised median background (moving things) and local anomaly
against an object-free smoothed image (things that stand out, moving or not), restricted to the pitch.
- players: person-sized upright components, refined by MediaPipe selfie segmentation on a crop;
- ball: small compact components, linked over time, the longest moving chain kept;
- goal: the white U-shaped structure (posts + bar + net) of the background, minus what is in front.
"""
from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from kicky.checks import typed
from kicky.core.clips import ClipInput
from kicky.core.instances import Instance, Labels
from kicky.errors import KickyError
from kicky.teacher.background import build_scene, exposure_matched, jitter_diff, warp, window_medians
from kicky.teacher.blobs import Blob, anomaly, components, peaks, pitch_mask, smooth, white_mask
from kicky.teacher.persons import PersonSegmenter
from kicky.teacher.shot import (ShotParams, at_feet, choose_chain, corridor, fill, fixture_cells, heading,
                               launch_path)


@dataclass
class MotionParams:
    diff_thr: int = 22            # background difference that counts as moving (0-255)
    anomaly_thr: int = 30         # local contrast that counts as an object
    ball_thr: int = 16            # background difference of a moving ball's peak
    object_scale: float = 0.12    # objects up to this fraction of the frame height stand out
    ball_diam: tuple[float, float] = (0.004, 0.045)  # ball diameter range, fraction of height
    ball_max_elongation: float = 5.0  # motion-blur streak length / width
    ball_streak: float = 2.5      # a new tracklet may jump this many times its streak's length (0: off)
    ball_gate: float = 0.02       # linking gate, fraction of height (+ half the ball's speed)
    ball_min_track: int = 3
    ball_weak_thr: int = 7        # weaker spots, used only near the flight's ballistic prediction
    ball_max_cands: int = 300     # strongest candidates kept per frame
    fixture_frac: float = 0.12    # a scene spot with candidates in more than this share of frames is a fixture
    near_player: float = 0.25     # tracklets beside a player's box (grown by this share of its height) are limbs
    fill_gap: int = 14            # frames the flight is extended / its gaps filled from weak spots
    chain_gap: int = 16           # frames the ball may go unseen between two pieces of its chain
                                  # (16: a shot passing the post, against the white net)
    rest_windows: int = 10        # median images over the clip, where the ball at rest is looked for
    rest_match: float = 12.0      # a frame shows the ball at rest where it differs this little from its median look
    rest_max_elongation: float = 1.6  # a ball at rest is round (no motion blur)
    rest_min_share: float = 0.3   # ... and a rest spot must be shown in this share of its stretch
    rest_gap: int = 10            # ... which ends at the first longer gap in its sightings (the kick)
    rest_max_spots: int = 120     # the most rest spots tried (the strongest first: a shadow beats a ball)
    rest_first: bool = True       # look for the ball at rest from the clip's start before choosing the flight
    rest_vs_late: bool = True     # ... a frame shows it only where it looks more like the start than the end
                                  # (a ball kicked off a painted spot leaves a look-alike behind)
    launch_speed: float = 0.05    # ... which must leave the rest spot at most this fast (fraction of height per frame)
    launch: str = "chain"         # how the flight leaves the spot: "chain" (linked tracklets) or "path" (Viterbi)
    launch_top: int = 3           # ... "path": the strongest candidates a frame it may use
    launch_still: float = 0.15    # ... ranking first those that moved more than this many gates in two frames
    kick_slack: int = 8           # ... and may start this many frames before the spot was last seen
    player_height: tuple[float, float] = (0.035, 0.9)
    player_aspect: tuple[float, float] = (0.3, 6.0)   # height / width
    person_model: str = "mediapipe"  # or "none": keep the evidence mask as is
    goal_hollowness: tuple[float, float] = (0.03, 0.9)   # white share of the frame's hull (a near net fills it)
    goal_on_grass: float = 0.5    # share of the hull's lower edge with grass just below it (0: off)
    goal_texture: float = 20.0    # |Laplacian| of a net's mesh; the score is weighted by the share above it (0: off)
    goal_no_shadow: bool = True   # no cast-shadow removal on the goal frame (a ball against it looks like one)

    def __post_init__(self):
        typed(self, "teacher.backends.motion")
        if self.person_model not in PERSON_MODELS:
            raise KickyError(f"teacher.backends.motion.person_model={self.person_model!r}: use one of "
                             f"{', '.join(PERSON_MODELS)}")
        if self.launch not in LAUNCHES:
            raise KickyError(f"teacher.backends.motion.launch={self.launch!r}: use one of {', '.join(LAUNCHES)}")


PERSON_MODELS = ("mediapipe", "none")
LAUNCHES = ("chain", "path")


class MotionBackend:
    name = "motion"

    def __init__(self, **params):
        self.p = MotionParams(**{k: tuple(v) if isinstance(v, list) else v for k, v in params.items()})
        self._persons = PersonSegmenter() if self.p.person_model == "mediapipe" else None

    def label(self, clip: ClipInput, classes: tuple[str, ...], todo: np.ndarray) -> Labels:
        p, frames = self.p, clip.frames
        T, H, W = frames.shape[:3]
        scale = p.object_scale * H
        goal_of = {}   # the goal frame, found on the background once, as build_scene makes it

        def ground(bg):   # where cast shadows fall: the grass, not the goal (a ball against the net or
            sm = smooth(bg, scale)   # the bar is darker than it at about its chroma, as a shadow is)
            goal = goal_of["bg"] = self._goal(bg, sm)
            floor = pitch_mask(sm)
            if goal is not None and p.goal_no_shadow:
                k = max(3, int(round(0.02 * H)) | 1)
                floor &= ~cv2.dilate(goal.astype(np.uint8), np.ones((k, k), np.uint8)).astype(bool)
            return floor

        scene = build_scene(frames, ground=ground)
        bg_smooth = smooth(scene.background, scale)
        pitch_ref = pitch_mask(bg_smooth)
        goal_ref = goal_of["bg"] if "goal" in classes else None
        players, ball_cands = [], []
        inside = _inner_frame((H, W), scene.warps, max(6, int(round(0.012 * H))))
        for t in range(T):
            sm = smooth(frames[t], scale)
            an = anomaly(frames[t], scale)
            moving = scene.diff[t] > p.diff_thr
            pitch = warp(pitch_ref.astype(np.uint8), scene.warps[t], inverse=True).astype(bool)
            inner = cv2.erode(pitch.astype(np.uint8), np.ones((5, 5), np.uint8)).astype(bool)
            still = (an > p.anomaly_thr) & inner & ~moving & ~white_mask(frames[t], sm)
            score = np.maximum(scene.diff[t], an).astype(np.float32)
            ps = self._players(frames[t], moving, pitch, score, H, confirm=False)
            ps += self._players(frames[t], still & ~_union(ps, (H, W), 5), pitch, score, H, confirm=True)
            players.append(ps)
            taken = _union(ps, (H, W), 3)
            cands = self._ball_candidates(scene.diff[t].astype(np.float32), ~taken & inside, H, p.ball_weak_thr)
            ball_cands.append(sorted(cands, key=lambda b: -b.contrast)[:p.ball_max_cands])
        medians = window_medians(frames, scene.warps, p.rest_windows)
        balls = self._ball(ball_cands, players, medians, scene.warps, scale, H, frames)
        out: Labels = []
        for t in range(T):
            row = [Instance("player", b.mask, min(1.0, b.contrast / 100), self.name) for b in players[t]]
            if balls[t] is not None:
                b = balls[t]
                row.append(Instance("ball", b.mask, min(1.0, b.contrast / 60), self.name))
            if goal_ref is not None:
                g = warp(goal_ref.astype(np.uint8), scene.warps[t], inverse=True).astype(bool)
                for inst in row:   # players stand in front of the goal and hide it; the ball is
                    if inst.cls == "player":   # not cut out: in the net it lies behind the frame,
                        g &= ~inst.mask        # and the goal decision looks for it inside the goal
                if g.any():
                    row.append(Instance("goal", g, 0.8, self.name))
            out.append([i for i in row if i.cls in classes and todo[t, classes.index(i.cls)]])
        return out

    def _players(self, frame, obj, pitch, score, H, confirm: bool) -> list[Blob]:
        """Person-sized upright components standing on the pitch; `confirm`: keep only those the
        person model agrees with (static evidence is noisier than motion)."""
        p = self.p
        k = max(3, int(round(0.012 * H)) | 1)
        closed = cv2.morphologyEx(obj.astype(np.uint8), cv2.MORPH_CLOSE, np.ones((k, k), np.uint8))
        foot_zone = cv2.dilate(pitch.astype(np.uint8), np.ones((k, k), np.uint8)).astype(bool)
        out = []
        for b in components(closed, score, min_area=int((p.player_height[0] * H) ** 2 * 0.1)):
            if not (p.player_height[0] * H <= b.h <= p.player_height[1] * H):
                continue
            if not (p.player_aspect[0] <= b.h / max(b.w, 1) <= p.player_aspect[1]):
                continue
            x = min(max(int(b.centre[0]), 0), pitch.shape[1] - 1)
            if not foot_zone[min(b.box[3] - 1, pitch.shape[0] - 1), x]:
                continue
            if self._persons is not None:
                full = b.mask
                m = self._persons.refine(frame, full, b.box)
                if confirm and m is full:
                    continue
                b.mask = m
            elif confirm:
                continue
            if b.mask.any():
                out.append(b)
        return out

    def _ball_candidates(self, score, allowed, H, thr) -> list[Blob]:
        p = self.p
        dmin, dmax = p.ball_diam[0] * H, p.ball_diam[1] * H
        out = []
        for b in peaks(score, allowed, thr, max(1, int(dmin)), int(np.ceil(dmax * 1.5))):
            long_, short = max(b.w, b.h), min(b.w, b.h)
            if short > dmax or long_ > dmax * p.ball_max_elongation or long_ < dmin:
                continue
            out.append(b)
        return out

    def _ball(self, cands: list[list[Blob]], players: list[list[Blob]], medians: list, warps: np.ndarray,
              scale: float, H: int, frames: np.ndarray) -> list[Blob | None]:
        """The shot model (kicky.teacher.shot): fixtures dropped; rest first — the likeliest spots
        where the ball lies still from the clip's start (`_rest_spots`), each tried with the flight
        that must leave it at its kick (`_flight` from that origin), the best pair kept; with no spot,
        the moving chain chosen away from players, and the ball at rest looked for along its ends."""
        p, T = self.p, len(cands)
        gate = max(3.0, p.ball_gate * H)
        sp = ShotParams(gate=gate, min_track=p.ball_min_track, near_player=p.near_player, fill_gap=p.fill_gap,
                        chain_gap=p.chain_gap)
        ref = [np.array([_to_ref(np.array(b.centre), warps[t]) for b in c]).reshape(-1, 2)
               for t, c in enumerate(cands)]
        cell = 0.5 * gate
        fixed = fixture_cells([r[[b.contrast > p.ball_thr for b in c]] for r, c in zip(ref, cands)], cell,
                              p.fixture_frac)
        keep = [[j for j, q in enumerate(ref[t]) if tuple(np.floor(q / cell).astype(int)) not in fixed]
                for t in range(T)]
        weak = [[cands[t][j] for j in keep[t]] for t in range(T)]
        boxes = [[q.box for q in ps] for ps in players]
        spots = self._rest_spots(medians, warps, scale, H, frames, players) if p.rest_first else []
        best, best_score = None, 0.0
        for score, seen in spots[:4]:
            # the ball lies at the spot until the kick: nothing else is it; its flight leaves the spot
            kick = seen[-1][0] + 1
            at = np.array(seen[-1][1].centre)
            early = max(kick - p.kick_slack, 1)     # the spot can look held a few frames past the kick (the foot on it)
            after = [[] if t < early - 1 else w for t, w in enumerate(weak)]
            if p.launch == "path":
                out, chain = self._path_flight(after, boxes, sp, early, kick, at, p.launch_speed * H)
            else:
                out, chain = self._flight(after, boxes, sp, (early, kick, at, p.launch_speed * H))
            for t in range(early - 1, kick):      # before the kick the ball is at the spot (or hidden there)
                if out[t] is not None and np.linalg.norm(np.array(out[t].centre) - at) > 2 * gate:
                    out[t] = None
            launched = bool(chain)
            if not launched:                        # nothing leaves the spot: the best flight after it
                out, _ = self._flight(after, boxes, sp)
            score *= 3.0 if launched else 1.0
            if score > best_score:
                best, best_score = (seen, kick, out), score
        if best is None:
            out, chain = self._flight(weak, boxes, sp)
            main = max(chain, key=lambda tr: len(tr.frames) * tr.weight).frames[0] if chain else 0
            return self._at_rest(out, medians, warps, scale, H, frames, main)
        seen, kick, out = best
        flown = min((t for t, b in enumerate(out) if b is not None), default=kick)
        for t, b in seen:
            if t < flown:                      # once the flight has left, the spot holds a foot, not the ball
                out[t] = b
        return self._at_rest(out, medians, warps, scale, H, frames, kick, ends=("last",))

    def _strong(self, weak: list[list[Blob]]):
        """The candidates that stand out as a moving ball's peak, and the centres of those and of all."""
        strong = [[b for b in w if b.contrast > self.p.ball_thr] for w in weak]
        centres = lambda cs: [np.array([b.centre for b in c]).reshape(-1, 2) for c in cs]   # noqa: E731
        return strong, centres(strong), centres(weak)

    def _flight(self, weak: list[list[Blob]], boxes: list[list[tuple]], sp: ShotParams, origin=None):
        """The moving chain among the candidates, away from players, extended and filled along its
        ballistic path: (per frame the ball or None, the chain's tracklets)."""
        p = self.p
        strong, pts, wpts = self._strong(weak)
        chain = choose_chain(pts, boxes, sp, [np.array([_streak(b, p.ball_streak) for b in c]) for c in strong],
                             origin)
        track = {t: j for tr in chain for t, j in zip(tr.frames, tr.cands)}
        return _filled(track, strong, weak, pts, wpts, sp), chain

    def _path_flight(self, weak: list[list[Blob]], boxes: list[list[tuple]], sp: ShotParams, early: int,
                     kick: int, at: np.ndarray, v_max: float):
        """The flight from the rest spot as one Viterbi path through each frame's strongest few
        candidates (`launch_path`), filled along its ballistic path as `_flight` does; candidates are
        ranked among those the ball can have reached since the kick, moving ones first (`_top_moving`)."""
        p = self.p
        strong, pts, wpts = self._strong(weak)
        far = [np.linalg.norm(q - at, axis=1) > sp.gate + 1.5 * v_max * max(t - kick + 1, 1) if len(q)
               else np.zeros(0, bool) for t, q in enumerate(pts)]   # where the ball cannot be yet
        top = _top_moving(pts, [np.array([b.contrast for b in c]) for c in strong], p.launch_top,
                          p.launch_still * sp.gate, far)
        track = launch_path(pts, top, boxes, at, early, kick, kick + sp.chain_gap, v_max, sp.gate,
                            near_player=sp.near_player)
        if len(track) < sp.min_track:
            return [None] * len(weak), []
        return _filled(track, strong, weak, pts, wpts, sp), [track]

    def _rest_spots(self, medians: list, warps: np.ndarray, scale: float, H: int, frames: np.ndarray,
                    players: list[list[Blob]]) -> list[tuple[float, list[tuple[int, Blob]]]]:
        """Rest first: before a kick the ball lies still from the clip's start where the kicker will
        meet it, and is gone once kicked. A compact round spot of the first stretch's median image
        that the last stretch's median does not hold, on the grass, shown in most frames from the start
        until it goes (`_seen`), best at a player's feet when it goes: (score, its (frame, spot)
        sightings) best first, the kick the frame after the last sighting; [] when no spot behaves so
        (a dribble, a ball already moving)."""
        p, T = self.p, len(frames)
        early = [m for t0, t1, m in medians if t1 <= max(medians[0][1], 0.22 * T)]
        late = [m for t0, t1, m in medians if t0 >= 0.75 * T]
        if not early or not late or T < 10:
            return []
        still = early[0] if len(early) < 3 else np.median(np.stack(early), axis=0).astype(np.uint8)
        other = exposure_matched(late[-1] if len(late) < 3 else np.median(np.stack(late), axis=0).astype(np.uint8),
                                 still)
        an = anomaly(still, scale).astype(np.float32)
        cands = self._ball_candidates(an, _inner_frame(an.shape, warps, max(6, int(round(0.012 * H)))), H,
                                      1.5 * p.ball_thr)
        grass = pitch_mask(smooth(still, scale))   # a ball lies on the pitch (not on a treeline against the sky)
        gone = [b for b in cands if max(b.w, b.h) <= p.rest_max_elongation * min(b.w, b.h)
                and grass[min(int(b.centre[1]), H - 1), min(int(b.centre[0]), grass.shape[1] - 1)]
                and _changed(still, other, b) > p.ball_thr]
        out = []
        for b in sorted(gone, key=lambda b: -b.contrast)[:p.rest_max_spots]:
            seen = self._seen(b, still, frames, warps, range(T), other if p.rest_vs_late else None)
            if len(seen) < 4:
                continue
            ts = np.array([t for t, _ in seen])
            # the rest stretch: from the start to the first long gap in the sightings once the clip is
            # under way (the kick; what is seen at the spot later is a foot or a sock standing there), cut
            # back to the last sighting that keeps most frames before it seen
            cut = [int(i) for i in np.nonzero(np.diff(ts) > p.rest_gap)[0] if ts[i] >= 0.15 * T]
            run = ts[:cut[0] + 1] if cut else ts
            ok = np.nonzero(np.arange(1, len(run) + 1) >= 0.5 * (run + 1))[0]
            if not len(ok):
                continue
            last = int(ts[ok[-1]])
            n = int(ok[-1]) + 1
            if not 0.15 * T <= last < 0.85 * T or n < max(4, p.rest_min_share * (last + 1)) or len(ts) - n > n:
                continue
            at = np.array(seen[n - 1][1].centre)
            here = [q for t in range(max(last - 3, 0), min(last + 4, T)) for q in players[t]]
            feet = any(at_feet(at, q.box) for q in here)
            score = n * (n / (last + 1)) ** 2 * (10.0 if feet else 1.0) * n / len(ts)   # seen in (nearly) every
            # frame till the kick, and seldom after it
            out.append((score, seen[:n]))
        return sorted(out, key=lambda x: -x[0])

    def _at_rest(self, balls: list[Blob | None], medians: list, warps: np.ndarray, scale: float, H: int,
                 frames: np.ndarray, flight: int, ends=("first", "last")) -> list[Blob | None]:
        """Before the flight the ball lies still at the kicker's feet, on the flight's backward
        extension, and is gone once the flight starts; after it the ball may lie still again on its
        forward extension. Looked for in the median images of those stretches (stabilised), as a
        compact spot that the median of the other stretch does not hold; labelled in every frame of
        the stretch where the frame still shows it there (not yet kicked, not hidden by a player).
        The stretch before starts where the main flight (the chain's heaviest tracklet, starting at
        frame `flight`) does: once the ball is found at rest there, what the chain held before the
        flight is dropped (a ball lying still cannot be elsewhere)."""
        found = [t for t, b in enumerate(balls) if b is not None and (t >= flight)]
        if len(found) < 2:
            return balls
        T = len(balls)
        ts = np.array(found)
        xy = np.array([_to_ref(np.array(balls[t].centre), warps[t]) for t in found])
        step = np.linalg.norm(np.diff(xy, axis=0), axis=1) / np.diff(ts)
        size = max(max(balls[t].w, balls[t].h) for t in found)
        width = max(3.0, self.p.ball_diam[0] * H * 2, 1.5 * size)
        for end in ends:
            head = heading(ts, xy, end)
            if head is None:
                continue
            t_end = ts[0] if end == "first" else ts[-1]
            v = float(np.median(step[:3] if end == "first" else step[-3:]))
            stretch = range(0, t_end) if end == "first" else range(t_end + 1, T)
            here = [m for t0, t1, m in medians if t0 >= stretch.start and t1 <= stretch.stop]
            there = [m for t0, t1, m in medians if (t0 > t_end if end == "first" else t1 <= t_end)]
            if not here or not there or len(stretch) < 2:
                continue
            still = here[0] if len(here) < 3 else np.median(np.stack(here), axis=0).astype(np.uint8)
            other = exposure_matched(there[0 if end == "last" else -1], still)
            start = xy[0] if end == "first" else xy[-1]
            length = max(6 * width, 4 * v + width)
            an = anomaly(still, scale).astype(np.float32)
            near = np.zeros(an.shape, np.uint8)
            tip = start + head * length
            cv2.line(near, tuple(int(c) for c in start), tuple(int(c) for c in tip), 1, int(2 * width))
            cands = self._ball_candidates(an, near.astype(bool), H, 1.5 * self.p.ball_thr)
            ends = [balls[t] for t in (found[:4] if end == "first" else found[-4:])]
            diam = float(np.median([min(b.w, b.h) for b in ends]))
            gone = [b for b in cands if _changed(still, other, b) > self.p.ball_thr
                    and max(b.w, b.h) <= self.p.rest_max_elongation * min(b.w, b.h)   # at rest: round ...
                    and 0.5 * diam - 1 <= max(b.w, b.h) <= 2.5 * diam + 3]        # ... and about the flight's size
            if not gone:
                continue
            c = np.array([b.centre for b in gone])
            order = corridor(start, head, c, length, width)
            seen = [self._seen(gone[int(i)], still, frames, warps, stretch) for i in order]
            if not seen or max(len(x) for x in seen) < max(2, self.p.rest_min_share * len(stretch)):
                continue
            n = np.array([len(x) for x in seen])
            k = int(np.argmax(np.where(n >= 0.8 * n.max(), [gone[int(i)].contrast for i in order], -1)))
            # among the spots that stay put about longest, the one that stands out most
            if end == "first":
                balls[:t_end] = [None] * t_end
            for t, b in seen[k]:
                balls[t] = b
        return balls

    def _seen(self, spot: Blob, still: np.ndarray, frames: np.ndarray, warps: np.ndarray,
              stretch: range, late: np.ndarray | None = None) -> list[tuple[int, Blob]]:
        """The frames of `stretch` that still show `spot` (found in the stabilised median `still`) as
        it looks there: the ball lying at rest, not yet kicked, not hidden. With `late` (the clip's
        end as a median image), only where the frame looks more like `still` than like `late`: what
        is left at the spot once the ball has gone (a painted spot, a divot) is not the ball."""
        g = 2
        diff = lambda patch, ref: jitter_diff(patch, ref)[g:-g, g:-g][spot.crop].mean()   # noqa: E731
        x0, y0, x1, y1 = spot.box
        H, W = still.shape[:2]
        if x0 < g or y0 < g or x1 + g > W or y1 + g > H:
            return []
        look = still[y0 - g:y1 + g, x0 - g:x1 + g]
        gone = None if late is None else late[y0 - g:y1 + g, x0 - g:x1 + g]
        out = []
        for t in stretch:
            b = _from_ref(spot, warps[t])
            if b is None:
                continue
            X0, Y0, X1, Y1 = b.box
            if Y0 < g or X0 < g or Y1 + g > H or X1 + g > W:
                continue
            patch = frames[t][Y0 - g:Y1 + g, X0 - g:X1 + g]
            d = diff(patch, look)
            if d <= self.p.rest_match and (gone is None or d < diff(patch, gone)):
                out.append((t, b))
        return out

    def _goal(self, bg: np.ndarray, bg_smooth: np.ndarray) -> np.ndarray | None:
        """Hull of the white component that looks like a goal frame: it reaches the left, right and
        top of its box, is not solid, stands on the grass (a sky gap in a treeline does not) and has
        a net's mesh texture (a pitch line or a patch of sky is smooth)."""
        p = self.p
        H, W = bg.shape[:2]
        white = cv2.dilate(white_mask(bg, bg_smooth, lift=15).astype(np.uint8), np.ones((3, 3), np.uint8))
        grass = pitch_mask(bg_smooth) if p.goal_on_grass else None
        grey = cv2.cvtColor(bg, cv2.COLOR_RGB2GRAY).astype(np.float32)
        mesh = np.abs(cv2.Laplacian(grey, cv2.CV_32F, ksize=3)) > p.goal_texture if p.goal_texture else None
        best, best_score = None, 0.0
        for b in components(white, min_area=int(0.0005 * H * W)):
            if b.w < 0.03 * W or b.h < 0.02 * H or b.w > 0.95 * W:
                continue
            sub, (x0, y0, x1, y1) = b.crop, b.box
            bw = max(2, b.w // 8)
            reach = [sub[:, :bw].any(1).mean(), sub[:, -bw:].any(1).mean(), sub[:max(2, b.h // 8)].any(0).mean()]
            hull = cv2.convexHull(np.argwhere(sub)[:, ::-1].astype(np.int32))
            hull_area = max(cv2.contourArea(hull), 1.0)
            if not (p.goal_hollowness[0] <= b.area / hull_area <= p.goal_hollowness[1]):
                continue
            m = np.zeros((b.h, b.w), np.uint8)
            cv2.fillPoly(m, [hull], 1)
            m = m.astype(bool)
            if grass is not None and _on_grass(m, b.box, grass, max(3, int(round(0.012 * H)))) < p.goal_on_grass:
                continue
            s = min(reach) * np.sqrt(hull_area) * (float(mesh[y0:y1, x0:x1][m].mean()) if mesh is not None else 1.0)
            if s > best_score:
                best_score = s
                best = np.zeros((H, W), bool)
                best[y0:y1, x0:x1] = m
        return best


def _on_grass(hull: np.ndarray, box, grass: np.ndarray, gap: int) -> float:
    """Share of a hull's columns whose lowest pixel has grass `gap` px below it."""
    x0, y0 = box[:2]
    cols = np.flatnonzero(hull.any(0))
    bottom = y0 + hull.shape[0] - 1 - np.argmax(hull[::-1, cols], axis=0)
    return float(grass[np.clip(bottom + gap, 0, grass.shape[0] - 1), x0 + cols].mean())


def _streak(b: Blob, k: float) -> float:
    """How far a blurred spot may travel by the next frame: a streak's length beyond its width is
    the distance covered while the shutter was open (about half a frame), so `k` times that plus its
    width; a round spot gives nothing."""
    long_, short = max(b.w, b.h), min(b.w, b.h)
    return 0.0 if k <= 0 or long_ < 1.5 * short else k * (long_ - short) + short


def _inner_frame(shape, warps: np.ndarray, margin: int) -> np.ndarray:
    """The frame minus a border where stabilisation pads with repeated edge pixels (flicker)."""
    shift = int(np.ceil(np.abs(warps[:, :, 2]).max())) if len(warps) else 0
    m = margin + shift
    out = np.zeros(shape, bool)
    out[m:shape[0] - m, m:shape[1] - m] = True
    return out


def _to_ref(pt: np.ndarray, M: np.ndarray) -> np.ndarray:
    return M[:, :2] @ pt + M[:, 2]


def _from_ref(b: Blob, M: np.ndarray) -> Blob | None:
    """A spot found in reference (stabilised) coordinates, moved into frame coordinates (shake is a
    small similarity: the crop is translated, not rotated)."""
    A = np.vstack([M, [0, 0, 1]])
    c = (np.linalg.inv(A) @ [*b.centre, 1])[:2]
    dx, dy = int(round(c[0] - b.centre[0])), int(round(c[1] - b.centre[1]))
    x0, y0, x1, y1 = b.box[0] + dx, b.box[1] + dy, b.box[2] + dx, b.box[3] + dy
    H, W = b.shape
    if x0 < 0 or y0 < 0 or x1 > W or y1 > H:
        return None
    return Blob(b.crop, (x0, y0, x1, y1), b.area, (float(c[0]), float(c[1])), b.contrast, b.shape)


def _union(blobs: list[Blob], shape, grow: int) -> np.ndarray:
    m = np.zeros(shape, np.uint8)
    for b in blobs:
        if b.full is not None:
            m |= b.full
        else:
            x0, y0, x1, y1 = b.box
            m[y0:y1, x0:x1] |= b.crop
    return cv2.dilate(m, np.ones((grow, grow), np.uint8)).astype(bool) if grow > 1 else m.astype(bool)


def _filled(track: dict[int, int], strong: list[list[Blob]], weak: list[list[Blob]], pts: list[np.ndarray],
            wpts: list[np.ndarray], sp: ShotParams) -> list[Blob | None]:
    """Per frame the ball or None: the chosen strong candidates (`track`: frame -> index) with the
    gaps and ends filled from weak ones along the ballistic path (`fill`)."""
    out: list[Blob | None] = [None] * len(weak)
    for t, (kind, j) in fill(track, pts, wpts, sp, len(weak)).items():
        out[t] = (strong if kind == "strong" else weak)[t][j]
    return out


def _top_moving(pts: list[np.ndarray], contrast: list[np.ndarray], k: int, still: float,
                far: list[np.ndarray]) -> list[np.ndarray]:
    """Per frame, which candidates are its `k` strongest of those not `far`, those that moved first: a
    candidate with one within `still` px two frames before and two frames after is a flicker in place
    (an edge, a fixture), not a flying ball."""
    T, out = len(pts), []
    for t in range(T):
        n = len(pts[t])
        fixed = np.zeros(n, bool)
        if still > 0 and n and 2 <= t < T - 2 and len(pts[t - 2]) and len(pts[t + 2]):
            near = lambda o: (np.linalg.norm(pts[t][:, None] - o[None], axis=2) <= still).any(1)   # noqa: E731
            fixed = near(pts[t - 2]) & near(pts[t + 2])
        order = np.lexsort((-contrast[t], fixed, far[t]))[:k] if n else np.zeros(0, int)
        order = order[~far[t][order]]
        out.append(np.isin(np.arange(n), order))
    return out


def _changed(a: np.ndarray, b: np.ndarray, spot: Blob) -> float:
    """Mean max-channel difference of two (stabilised) images over a spot's pixels."""
    x0, y0, x1, y1 = spot.box
    d = cv2.absdiff(a[y0:y1, x0:x1], b[y0:y1, x0:x1]).max(axis=2)
    return float(d[spot.crop].mean()) if spot.crop.any() else 0.0
