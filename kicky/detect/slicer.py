"""The sliced pass for the ball: overlapping tiles (supervision's InferenceSlicer) see the 3-4 px ball
at a larger scale than the full frame squeezed to the model's input. Only ball detections are taken
from the tiles; they are merged with the full-frame pass by non-maximum suppression."""
from __future__ import annotations

from typing import Callable

import numpy as np
import supervision as sv

Predict = Callable[[list[np.ndarray]], list[sv.Detections]]


def tile_grid(width: int, height: int, tile: int, overlap: int) -> int:
    """How many tiles a frame is cut into (for logging and cost estimates)."""
    step = max(tile - overlap, 1)
    n = lambda size: 1 if size <= tile else int(np.ceil((size - tile) / step)) + 1  # noqa: E731
    return n(width) * n(height)


def ball_from_tiles(predict: Predict, frame: np.ndarray, ball_id: int, tile: int, overlap: int,
                    iou: float) -> sv.Detections:
    """Ball detections of one RGB frame from overlapping tiles, in full-frame coordinates."""
    H, W = frame.shape[:2]
    if tile >= max(H, W):
        return sv.Detections.empty()
    n = tile_grid(W, H, tile, overlap)
    slicer = sv.InferenceSlicer(callback=predict, slice_wh=tile, overlap_wh=overlap, iou_threshold=iou,
                                batch_size=n, overlap_filter="non_max_suppression")
    det = slicer(frame)
    return det[det.class_id == ball_id] if len(det) else det


def merge(full: sv.Detections, tiles: sv.Detections, ball_id: int, iou: float) -> sv.Detections:
    """The full-frame pass with its balls and the tiles' balls deduplicated by NMS; the other classes
    exactly as the full frame found them."""
    if len(tiles) == 0:
        return full
    full.metadata, tiles.metadata = {}, {}
    if len(full) == 0:
        return tiles
    is_ball = full.class_id == ball_id
    balls = sv.Detections.merge([full[is_ball], tiles]).with_nms(threshold=iou, class_agnostic=True)
    return sv.Detections.merge([full[~is_ball], balls])
