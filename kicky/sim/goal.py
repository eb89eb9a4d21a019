"""Goal geometry in metres. World frame: x along the goal line, y into the pitch, z up.

The goal mouth spans |x| < width/2 on the line y = 0 up to the bar; the net box runs back to
y = -depth, its roof sloping from the bar down to `back_height`.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from kicky.core.domain import BALL_DIAMETER_M, GOAL_SIZE_M, SMALL_GOAL_SIZE_M

BALL_RADIUS = BALL_DIAMETER_M / 2


@dataclass(frozen=True)
class Goal:
    width: float = GOAL_SIZE_M[0]
    height: float = GOAL_SIZE_M[1]
    depth: float = 2.0
    back_height: float = 1.5
    post_radius: float = 0.06

    @classmethod
    def small_sided(cls) -> "Goal":
        return cls(width=SMALL_GOAL_SIZE_M[0], height=SMALL_GOAL_SIZE_M[1], depth=1.2, back_height=1.2, post_radius=0.04)

    def roof_z(self, y: np.ndarray | float) -> np.ndarray | float:
        frac = np.clip(-np.asarray(y, float) / self.depth, 0, 1)
        return self.height + (self.back_height - self.height) * frac

    def inside(self, p: np.ndarray, margin: float = 0.0) -> bool:
        """True when a ball centre lies inside the net box (behind the goal line)."""
        x, y, z = p
        return bool(abs(x) <= self.width / 2 - margin and -self.depth - 1e-6 <= y <= -margin
                    and 0 <= z <= self.roof_z(y) + 1e-6)

    def post_axes(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """Frame tubes as (start, end) centre lines: left post, right post, bar."""
        hx, r = self.width / 2 + self.post_radius, self.post_radius
        top = self.height + r
        return [(np.array([-hx, 0, 0.0]), np.array([-hx, 0, top])),
                (np.array([hx, 0, 0.0]), np.array([hx, 0, top])),
                (np.array([-hx, 0, top]), np.array([hx, 0, top]))]

    def corners(self) -> np.ndarray:
        """Eight corners of the net box (front four, back four)."""
        hx = self.width / 2
        return np.array([[-hx, 0, 0], [hx, 0, 0], [hx, 0, self.height], [-hx, 0, self.height],
                         [-hx, -self.depth, 0], [hx, -self.depth, 0],
                         [hx, -self.depth, self.back_height], [-hx, -self.depth, self.back_height]])

    def to_json(self) -> dict:
        return {"width": self.width, "height": self.height, "depth": self.depth,
                "back_height": self.back_height, "post_radius": self.post_radius}
