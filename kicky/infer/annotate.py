"""Drawing a ShotReport onto its clip with supervision annotators: masks, P1/P2/P3 labels that
brighten to "P# BALL" while that player has the ball, the ball's trail, and a panel with the kick,
the goal verdict, the shot speed and the kicking foot."""
from __future__ import annotations

from typing import Iterator

import cv2
import numpy as np
import supervision as sv

from kicky.analysis.report import speed_text, verdict  # noqa: F401  (shared with the coach)
from kicky.core.instances import Instance, Labels

# player colours (dim while without the ball, bright with it); ball and goal
PLAYER = ["#3c78b4", "#b4503c", "#6e9b3c", "#8c5ab4", "#b48c3c", "#3ca0a0"]
PLAYER_BRIGHT = ["#64c8ff", "#ff7850", "#a0ff50", "#d296ff", "#ffd250", "#50ffff"]
BALL, GOAL = sv.Color.from_hex("#ffff00"), sv.Color.from_hex("#ffffff")
TRAIL = 20   # frames of ball trail
VERDICT_BG = {"GOAL": sv.Color.from_hex("#1e9632"), "NO GOAL": sv.Color.from_hex("#b42828")}


def player_ids(frame: list[Instance], players: list[dict]) -> list[tuple[str, Instance]]:
    """The report's player ids matched to this frame's player instances by box (the analysis keeps
    the instance's own box, so a match is near-exact)."""
    dets = [d for d in frame if d.cls == "player"]
    out, used = [], set()
    if not dets or not players:
        return out
    ious = sv.box_iou_batch(np.array([p["box"] for p in players], float), np.array([d.box for d in dets], float))
    for row, p in zip(ious, players):
        best = max(((i, row[i]) for i in range(len(dets)) if i not in used), key=lambda z: z[1], default=(None, 0.0))
        if best[0] is not None and best[1] >= 0.5:
            used.add(best[0])
            out.append((p["id"], dets[best[0]]))
    return out


def _detections(insts: list[Instance], class_id: int, tracker: list[int] | None = None) -> sv.Detections:
    if not insts:
        return sv.Detections.empty()
    return sv.Detections(xyxy=np.array([d.box for d in insts], float), mask=np.stack([d.mask for d in insts]),
                         class_id=np.full(len(insts), class_id),
                         tracker_id=None if tracker is None else np.array(tracker))


def summary(report: dict) -> str:
    """One line for the terminal: the verdict, and only for a found shot its shooter, speed and foot."""
    if not report.get("shot_found"):
        return verdict(report)
    foot = report.get("kicking_foot")
    return ", ".join([verdict(report)] + ([report["shooter"]] if report.get("shooter") else [])
                     + [speed_text(report)] + ([f"{foot} foot"] if foot else []))


def panel_lines(report: dict, t: int) -> list[str]:
    kick = report.get("kick_frame") if report.get("shot_found") else None
    lines = [f"frame {t}"]
    if kick is None or t < kick:
        lines.append("before the kick" if kick is not None else verdict(report))
        return lines
    lines.append(("KICK " if t - kick < 8 else "") + f"shot by {report.get('shooter') or '?'}")
    arrive = report.get("goal_arrival")
    lines.append(verdict(report) if arrive is None or t >= arrive else "shot: in flight")
    lines.append("speed " + speed_text(report))
    foot = report.get("kicking_foot")
    lines.append(f"{foot} foot" if foot else "foot: -")
    return lines


def annotate(frames: np.ndarray, detections: Labels, report: dict) -> Iterator[np.ndarray]:
    """Yield annotated BGR frames of RGB `frames`."""
    H = frames.shape[1]
    scale = max(H / 720, 0.3)
    pal = sv.ColorPalette.from_hex(PLAYER + PLAYER_BRIGHT)
    k = len(PLAYER)
    mask_players = sv.MaskAnnotator(color=pal, opacity=0.45, color_lookup=sv.ColorLookup.TRACK)
    mask_other = sv.MaskAnnotator(color=sv.ColorPalette([BALL, GOAL]), opacity=0.35)
    labels = sv.LabelAnnotator(color=pal, text_scale=0.9 * scale, text_thickness=max(int(2 * scale), 1),
                               text_padding=max(int(6 * scale), 2), text_position=sv.Position.TOP_CENTER,
                               text_color=sv.Color.BLACK)
    trail = sv.TraceAnnotator(color=BALL, trace_length=TRAIL, thickness=max(int(3 * scale), 1),
                              position=sv.Position.CENTER)
    ball_track = report.get("ball") or []
    players = report.get("players") or []
    owner = report.get("possession") or []
    for t, rgb in enumerate(frames):
        img = np.ascontiguousarray(rgb[:, :, ::-1])
        frame = detections[t] if t < len(detections) else []
        goal = [d for d in frame if d.cls == "goal"]
        balls = [d for d in frame if d.cls == "ball"]
        img = mask_other.annotate(img, _detections(goal, 1))
        img = mask_other.annotate(img, _detections(balls, 0))
        ids = player_ids(frame, players[t] if t < len(players) else [])
        if ids:
            has = owner[t] if t < len(owner) else None
            num = [int(pid[1:]) - 1 if pid[1:].isdigit() else 0 for pid, _ in ids]
            look = np.array([(n % k) + (k if pid == has else 0) for n, (pid, _) in zip(num, ids)])
            det = _detections([d for _, d in ids], 1, [n + 1 for n in num])
            img = mask_players.annotate(img, det, custom_color_lookup=look)
            img = labels.annotate(img, det, labels=[f"{pid} BALL" if pid == has else pid for pid, _ in ids],
                                  custom_color_lookup=look)
        b = ball_track[t] if t < len(ball_track) else None
        if b and b.get("x") is not None:
            r = max((b.get("width") or 4) / 2, 2)
            img = trail.annotate(img, sv.Detections(xyxy=np.array([[b["x"] - r, b["y"] - r, b["x"] + r, b["y"] + r]]),
                                                    class_id=np.array([0]), tracker_id=np.array([1])))
        yield _panel(img, panel_lines(report, t), scale)


def _panel(img: np.ndarray, lines: list[str], scale: float) -> np.ndarray:
    """Left-aligned text lines in the top-left corner, white on black."""
    size, thick, pad = 0.7 * scale, max(int(2 * scale), 1), max(int(4 * scale), 1)
    y = pad
    for line in lines:
        (w, h), _ = cv2.getTextSize(line, cv2.FONT_HERSHEY_SIMPLEX, size, thick)
        bg = VERDICT_BG.get(line.split(" (")[0], sv.Color.BLACK)
        img = sv.draw_text(img, line, sv.Point(pad * 2 + w // 2, y + pad + h // 2), text_color=sv.Color.WHITE,
                           text_scale=size, text_thickness=thick, text_padding=pad, background_color=bg)
        y += h + 2 * pad + 1
    return img
