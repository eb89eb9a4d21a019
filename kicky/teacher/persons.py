"""Person masks from MediaPipe selfie segmentation (the model ships inside the pinned wheel), run on
a padded crop around a candidate so that small, distant players fill the model's input."""
from __future__ import annotations

import os

import cv2
import numpy as np


class PersonSegmenter:
    def __init__(self, threshold: float = 0.5, pad: float = 0.35, grow: int = 2):
        os.environ.setdefault("GLOG_minloglevel", "2")     # MediaPipe's C++ start-up chatter
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
        import mediapipe as mp
        self._seg = mp.solutions.selfie_segmentation.SelfieSegmentation(model_selection=0)
        self.threshold, self.pad, self.grow = threshold, pad, grow

    def refine(self, frame: np.ndarray, evidence: np.ndarray, box) -> np.ndarray:
        """The person mask inside a padded crop around `box`, kept where it lies near the evidence
        mask (so a neighbour in the crop is not swallowed); the evidence itself when the model
        finds no person there."""
        H, W = evidence.shape
        x0, y0, x1, y1 = box
        px, py = int((x1 - x0) * self.pad) + 2, int((y1 - y0) * self.pad) + 2
        cx0, cy0, cx1, cy1 = max(x0 - px, 0), max(y0 - py, 0), min(x1 + px, W), min(y1 + py, H)
        crop = np.ascontiguousarray(frame[cy0:cy1, cx0:cx1])
        s = 256 / max(crop.shape[:2])
        big = cv2.resize(crop, None, fx=s, fy=s, interpolation=cv2.INTER_CUBIC) if s > 1 else crop
        prob = self._seg.process(big).segmentation_mask
        if prob is None:
            return evidence
        prob = cv2.resize(prob, (crop.shape[1], crop.shape[0]), interpolation=cv2.INTER_LINEAR)
        person = prob > self.threshold
        near = cv2.dilate(evidence[cy0:cy1, cx0:cx1].astype(np.uint8),
                          np.ones((2 * self.grow + 1, 2 * self.grow + 1), np.uint8)).astype(bool)
        keep = person & near
        if keep.sum() < 0.3 * evidence[cy0:cy1, cx0:cx1].sum():
            return evidence
        out = np.zeros_like(evidence)
        out[cy0:cy1, cx0:cx1] = keep
        return out
