"""Pinhole camera (OpenCV convention: x right, y down, z forward) in a world with z up."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Camera:
    K: np.ndarray  # 3x3 intrinsics
    R: np.ndarray  # world -> camera rotation
    t: np.ndarray  # world -> camera translation
    width: int
    height: int

    @property
    def center(self) -> np.ndarray:
        return -self.R.T @ self.t

    @property
    def focal(self) -> float:
        return float(self.K[0, 0])

    def to_cam(self, X: np.ndarray) -> np.ndarray:
        return np.asarray(X, float) @ self.R.T + self.t

    def project(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """World points (..., 3) -> pixel coordinates (..., 2) and depth (...)."""
        Xc = self.to_cam(X)
        z = Xc[..., 2]
        uv = Xc @ self.K.T
        with np.errstate(divide="ignore", invalid="ignore"):
            return uv[..., :2] / uv[..., 2:3], z

    def rays(self, uv: np.ndarray) -> np.ndarray:
        """Pixel coordinates (..., 2) -> world ray directions (..., 3), not normalised."""
        ones = np.ones(uv.shape[:-1] + (1,))
        d_cam = np.concatenate([uv, ones], -1) @ np.linalg.inv(self.K).T
        return d_cam @ self.R

    def rotated(self, R_delta: np.ndarray) -> "Camera":
        """The same camera centre turned by R_delta (in camera coordinates): shake."""
        R = R_delta @ self.R
        return Camera(self.K, R, -R @ self.center, self.width, self.height)

    def matrix(self) -> np.ndarray:
        return self.K @ np.hstack([self.R, self.t[:, None]])

    def to_json(self) -> dict:
        return {"K": self.K.tolist(), "R": self.R.tolist(), "t": self.t.tolist(),
                "width": self.width, "height": self.height}


def intrinsics(width: int, height: int, hfov_deg: float) -> np.ndarray:
    f = (width / 2) / np.tan(np.radians(hfov_deg) / 2)
    return np.array([[f, 0, width / 2], [0, f, height / 2], [0, 0, 1.0]])


def rot_z(deg: float) -> np.ndarray:
    c, s = np.cos(np.radians(deg)), np.sin(np.radians(deg))
    return np.array([[c, -s, 0], [s, c, 0], [0, 0, 1.0]])


def rot_xyz(rx: float, ry: float, rz: float) -> np.ndarray:
    """Small rotation from angles in degrees about camera x (tilt), y (pan) and z (roll)."""
    ax, ay = np.radians(rx), np.radians(ry)
    Rx = np.array([[1, 0, 0], [0, np.cos(ax), -np.sin(ax)], [0, np.sin(ax), np.cos(ax)]])
    Ry = np.array([[np.cos(ay), 0, np.sin(ay)], [0, 1, 0], [-np.sin(ay), 0, np.cos(ay)]])
    return rot_z(rz) @ Ry @ Rx


def look_at(position, target, roll_deg: float, hfov_deg: float, width: int, height: int) -> Camera:
    position, target = np.asarray(position, float), np.asarray(target, float)
    fwd = target - position
    fwd /= np.linalg.norm(fwd)
    right = np.cross(fwd, [0.0, 0.0, 1.0])
    right /= np.linalg.norm(right)
    down = np.cross(fwd, right)
    R = rot_z(roll_deg) @ np.stack([right, down, fwd])
    return Camera(intrinsics(width, height, hfov_deg), R, -R @ position, width, height)
