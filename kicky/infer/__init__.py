"""Inference on one clip: detections (student, teacher or truth) -> ShotReport -> annotated mp4."""
