"""The weight-free teacher against simulator truth on a clean clip. Thresholds sit below what it
measured when written (ball P 0.81 / R 0.46, player R 0.41 / IoU 0.76, goal R 1.0 / IoU 0.80), so a
regression in any part (stabilisation, background, ball tracking, person masks, goal frame) fails."""
import cv2
import numpy as np
import pytest

from kicky.core.clips import load_clip
from kicky.core.quality import clip_quality, summarise
from kicky.teacher.motion import MotionBackend

C = ("ball", "player", "goal")


@pytest.fixture(scope="module")
def labelled_640(goal_clip_640):
    clip = load_clip(goal_clip_640[0])
    return clip, MotionBackend().label(clip, C, np.ones((len(clip), 3), bool))


def test_motion_teacher_quality(labelled_640):
    clip, labels = labelled_640
    assert len(labels) == len(clip)
    assert all(i.source == "motion" and i.mask.shape == clip.shape for fr in labels for i in fr)
    assert all(sum(i.cls == "ball" for i in fr) <= 1 for fr in labels)  # one ball per frame at most
    q = summarise([clip_quality(labels, clip.truth, C)])
    assert q["ball"]["precision"] >= 0.6 and q["ball"]["recall"] >= 0.3, q["ball"]
    assert q["player"]["recall"] >= 0.3 and q["player"]["iou"] >= 0.6, q["player"]
    assert q["goal"]["recall"] >= 0.9 and q["goal"]["iou"] >= 0.6, q["goal"]


def test_the_ball_in_the_net_lies_inside_the_goal_label(labelled_640):
    """Players in front hide the goal, the ball in the net does not: the goal decision finds a goal
    by the ball's mask inside the goal's, so the teacher's goal must not have the ball cut out of it
    (it was, and its goals were never 'rest_in_net')."""
    clip, labels = labelled_640
    in_net = [t for t, f in enumerate(clip.truth["frames"]) if f.get("ball", {}).get("in_goal")]
    both = [(b.mask, g.mask) for t in in_net for b in labels[t] if b.cls == "ball" for g in labels[t] if g.cls == "goal"]
    assert len(both) >= 5, (len(in_net), len(both))
    inside = [(b & g).sum() / b.sum() for b, g in both]
    assert np.median(inside) >= 0.5, inside


def _goal_scene(H=360, W=640, seed=0):
    """Grass under a sky band and a treeline; decoys that beat the old goal rule: a gap of sky in the
    treeline around a lower tree (hollow, white against the dark trees, not on the grass) and a big
    U of pitch lines (hollow, on the grass, plain grass inside); the goal: posts, bar and a mesh."""
    rng = np.random.default_rng(seed)
    img = np.zeros((H, W, 3), np.uint8)
    img[:] = (60, 130, 50)
    img[:100] = (200, 220, 240)
    img[70:110] = (40, 80, 40)
    cv2.rectangle(img, (30, 74), (250, 110), (200, 220, 240), -1)
    cv2.rectangle(img, (70, 86), (210, 110), (40, 80, 40), -1)
    cv2.polylines(img, [np.array([(20, 350), (40, 150), (330, 150), (350, 350)], np.int32)], False, (235, 235, 235), 3)
    x0, x1, y0, y1 = 420, 580, 180, 260
    for x in range(x0, x1, 6):
        cv2.line(img, (x, y0), (x, y1), (205, 205, 205), 1)
    for y in range(y0, y1, 6):
        cv2.line(img, (x0, y), (x1, y), (205, 205, 205), 1)
    for a, b in (((x0 - 3, y0 - 3), (x0 + 1, y1)), ((x1 - 1, y0 - 3), (x1 + 3, y1)), ((x0 - 3, y0 - 3), (x1 + 3, y0 + 1))):
        cv2.rectangle(img, a, b, (240, 240, 240), -1)
    img = np.clip(img.astype(int) + rng.normal(0, 2, img.shape), 0, 255).astype(np.uint8)
    truth = np.zeros((H, W), bool)
    truth[y0 - 3:y1, x0 - 3:x1 + 4] = True
    return img, truth


@pytest.mark.parametrize("rule, found", [({}, True), ({"goal_texture": 0}, False),
                                         ({"goal_on_grass": 0, "goal_texture": 0, "goal_hollowness": (0.03, 0.6)}, False)])
def test_the_goal_is_the_netted_frame_on_the_grass(rule, found):
    """The net's mesh inside the hull and grass below it pick the goal over the pitch lines' U and the
    treeline's sky gap; without the mesh rule the lines win, and the old rule took the sky."""
    from kicky.teacher.blobs import smooth
    img, truth = _goal_scene()
    be = MotionBackend(person_model="none", **rule)
    m = be._goal(img, smooth(img, be.p.object_scale * img.shape[0]))
    iou = 0.0 if m is None else (m & truth).sum() / (m | truth).sum()
    assert (iou >= 0.8) == found, iou


def test_motion_teacher_respects_todo(goal_clip_640):
    clip = load_clip(goal_clip_640[0])
    clip.frames = clip.frames[:20]
    todo = np.zeros((20, 3), bool)
    todo[5:10, 2] = True   # goal only, frames 5-9
    labels = MotionBackend(person_model="none").label(clip, C, todo)
    got = {(t, i.cls) for t, fr in enumerate(labels) for i in fr}
    assert got and got <= {(t, "goal") for t in range(5, 10)}


def _on_goal(truth) -> list[int]:
    """Frames where the true ball's box touches the goal's mask (against the net, the bar, a post)."""
    from kicky.io.rle import decode
    out = []
    for t, fr in enumerate(truth["frames"]):
        g = [decode(x["rle"]) for x in fr["instances"] if x["class"] == "goal"]
        b = [x["bbox"] for x in fr["instances"] if x["class"] == "ball"]
        if g and b:
            x, y, w, h = (int(v) for v in b[0])
            if g[0][y:y + h + 1, x:x + w + 1].any():
                out.append(t)
    return out


def test_a_ball_against_the_goal_is_not_taken_for_a_shadow(goal_clip_640):
    """Darker than the net or the bar behind it at about their chroma, the ball looks like a cast
    shadow: with shadows removed on the goal frame too, the teacher loses it there."""
    clip = load_clip(goal_clip_640[0])
    near = _on_goal(clip.truth)
    assert len(near) >= 20
    got = {}
    for on in (True, False):
        lab = MotionBackend(person_model="none", goal_no_shadow=on).label(clip, ("ball",), np.ones((len(clip), 1), bool))
        got[on] = summarise([clip_quality([lab[t] for t in near], {"frames": [clip.truth["frames"][t] for t in near]},
                                          ("ball",))])["ball"]
    assert got[True]["precision"] >= 0.9 and got[True]["recall"] >= 0.85, got
    assert got[True]["recall"] * len(near) >= got[False]["recall"] * len(near) + 2, got   # frames it used to lose
    assert got[True]["iou"] > got[False]["iou"], got


def _rest_scene(T=90, kick=40, H=180, W=320, seed=0, run=2, late_decoy=None):
    """Grass under a sky band; a ball (6 px, light) lying at (200, 130) until `kick`, a player
    running up to it; decoys: a light spot on the grass all clip long (a fixture, never gone) and a
    light spot in the sky that goes (a treeline bump as the exposure drifts)."""
    from kicky.teacher.blobs import Blob
    rng = np.random.default_rng(seed)
    base = np.zeros((H, W, 3), np.uint8)
    base[:40] = (150, 190, 235)
    base[40:] = (60, 130, 50)
    frames, players = [], []
    for t in range(T):
        f = np.clip(base.astype(int) + rng.normal(0, 3, base.shape), 0, 255).astype(np.uint8)
        cv2.circle(f, (80, 150), 3, (230, 230, 230), -1)             # the fixture
        if t < 60:
            cv2.circle(f, (300, 20), 3, (60, 130, 50), -1)          # the sky spot, gone at 60
        if t < kick:
            cv2.circle(f, (200, 130), 3, (235, 235, 235), -1)       # the ball at rest
        if late_decoy and t < late_decoy:
            cv2.circle(f, (250, 165), 3, (235, 235, 235), -1)       # a light spot on the grass that goes late
        x = min(120 + run * t, 190)                                 # the runner, feet at y = 134, beside it
        f[94:134, x - 6:x + 6] = (200, 40, 40)
        crop = np.ones((40, 12), bool)
        players.append([Blob(crop, (x - 6, 94, x + 6, 134), 480, (float(x), 114.0), 80.0, (H, W))])
        frames.append(f)
    return np.stack(frames), players


def test_the_ball_at_rest_is_found_first_and_goes_at_the_kick():
    from kicky.teacher.background import window_medians
    frames, players = _rest_scene()
    warps = np.tile(np.float64([[1, 0, 0], [0, 1, 0]]), (len(frames), 1, 1))
    be = MotionBackend(person_model="none")
    spots = be._rest_spots(window_medians(frames, warps, 10), warps, be.p.object_scale * 180, 180, frames, players)
    assert spots, "no rest spot"
    best = spots[0][1]
    assert all(abs(b.centre[0] - 200) <= 2 and abs(b.centre[1] - 130) <= 2 for _, b in best)
    assert best[-1][0] == 39 and len(best) >= 36                   # seen till the kick, gone after
    for _, seen in spots:                                          # the decoys never come up
        assert not any(abs(b.centre[0] - 80) < 5 or b.centre[1] < 40 for _, b in seen)


def test_the_spot_a_player_kicks_outranks_a_longer_one_nobody_touches():
    # sim77_00004 (1080p): a spot seen till frame 87 of 113, far from every player, outranked the ball
    # kicked at frame 36 at the shooter's feet (ball recall 57 -> 0 frames of 113); it fails with a
    # 3x bonus at the feet, passes with 10x
    from kicky.teacher.background import window_medians
    frames, players = _rest_scene(kick=20, run=4, late_decoy=75)
    warps = np.tile(np.float64([[1, 0, 0], [0, 1, 0]]), (len(frames), 1, 1))
    be = MotionBackend(person_model="none")
    spots = be._rest_spots(window_medians(frames, warps, 10), warps, be.p.object_scale * 180, 180, frames, players)
    found = [(abs(seen[-1][1].centre[0] - 250) < 4, seen[-1][0]) for _, seen in spots]
    assert (True, 74) in found or any(d and t > 60 for d, t in found), found   # the decoy is a rest spot too
    best = spots[0][1]
    assert abs(best[-1][1].centre[0] - 200) <= 2 and best[-1][0] == 19, found


def test_a_look_alike_left_at_the_spot_is_not_the_ball_with_rest_vs_late():
    # sim93_00004 / 00022 (1080p, 6-7 px balls): the spot kept matching the first stretch's look long
    # after the kick, so the rest stretch never ended; seen only where a frame looks more like the
    # start than the end, it ends at the kick (replayed: ball P/R 0.478/0.351 -> 0.527/0.374 on 24 clips)
    from kicky.teacher.blobs import Blob
    H, W, T, kick = 120, 160, 60, 30
    grass = np.full((H, W, 3), (60, 130, 50), np.uint8)
    ball, alike = grass.copy(), grass.copy()
    cv2.circle(ball, (80, 60), 3, (235, 235, 235), -1)
    cv2.circle(alike, (80, 60), 3, (226, 226, 226), -1)     # a painted spot: within rest_match of the ball
    frames = np.stack([ball if t < kick else alike for t in range(T)])
    m = np.zeros((H, W), bool)
    m[57:64, 77:84] = True
    spot = Blob(m[57:64, 77:84].copy(), (77, 57, 84, 64), int(m.sum()), (80.5, 60.5), 175.0, (H, W))
    warps = np.tile(np.float64([[1, 0, 0], [0, 1, 0]]), (T, 1, 1))
    be = MotionBackend(person_model="none")
    assert [t for t, _ in be._seen(spot, ball, frames, warps, range(T))] == list(range(T))
    assert [t for t, _ in be._seen(spot, ball, frames, warps, range(T), alike)] == list(range(kick))
