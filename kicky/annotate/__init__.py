"""Annotation tools for your own footage, one local app with three keyboard-driven pages: the
clipper (scrub a long video, mark in / out points, export frame-accurate shot clips), the rater
(1-5 stars per clip) and the goal annotator (goal / no goal / unsure, kicking foot, kick frame),
whose labels are a truth source for the evaluation. State is saved after every change."""
