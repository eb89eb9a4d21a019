"""Derived interaction classes for the 5-class dataset, from masks alone.

- player_with_ball: a player whose mask touches the ball mask dilated by `dilate_px`;
- ball_in_goal: a ball whose mask intersects the goal mask.
Rule `accompany` (default; the seed's student learned the five classes side by side): the derived
instance is added next to its base instance (same mask). Rule `replace`: the base instance becomes the
derived class."""
from __future__ import annotations

import cv2
import numpy as np

from kicky.core.instances import Instance
from kicky.errors import KickyError

CLASSES3 = ("ball", "player", "goal")
CLASSES5 = ("ball", "player", "goal", "player_with_ball", "ball_in_goal")
RULES = ("accompany", "replace")


def derive(insts: list[Instance], rule: str = "accompany", dilate_px: int = 2) -> list[Instance]:
    if rule not in RULES:
        raise KickyError(f"dataset.derive.rule={rule!r}: use one of {', '.join(RULES)}")
    balls = [i for i in insts if i.cls == "ball"]
    goals = [i for i in insts if i.cls == "goal"]
    near_ball = None
    if balls:
        near_ball = np.logical_or.reduce([b.mask for b in balls]).astype(np.uint8)
        if dilate_px > 0:
            near_ball = cv2.dilate(near_ball, np.ones((2 * dilate_px + 1,) * 2, np.uint8))
        near_ball = near_ball.astype(bool)
    goal_mask = np.logical_or.reduce([g.mask for g in goals]) if goals else None
    out = []
    for i in insts:
        new = None
        if i.cls == "player" and near_ball is not None and (i.mask & near_ball).any():
            new = "player_with_ball"
        elif i.cls == "ball" and goal_mask is not None and (i.mask & goal_mask).any():
            new = "ball_in_goal"
        if new is None or rule == "accompany":
            out.append(i)
        if new is not None:
            out.append(Instance(new, i.mask, i.score, i.source, i.box))
    return out
