"""The student over clips: the `detect` stage (kicky.detect.run), the student itself (student),
the tiled ball pass (slicer) and the merge of two detectors' outputs (merge)."""
