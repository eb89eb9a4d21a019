"""The domain's constants, in one place."""
from __future__ import annotations

CLASSES = ("ball", "player", "goal")              # what every teacher, detector and dataset knows
CLASSES5 = CLASSES + ("player_with_ball", "ball_in_goal")
SPLITS = ("train", "valid", "test")                # clip-level dataset splits
OUTCOMES = ("goal", "saved", "post", "over", "wide", "no_shot")   # how a clip ends (the simulator's truth)
NON_SHOTS = ("dribble", "pass", "trap")                          # no_shot clips' kinds
BALL_DIAMETER_M = 0.22                             # a size-5 football
GOAL_SIZE_M = (7.32, 2.44)                         # a full-size goal's mouth: width, height
SMALL_GOAL_SIZE_M = (3.0, 2.0)                     # a small-sided one's
