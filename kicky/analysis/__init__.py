"""Downstream analysis: detections (teacher, student or simulator truth) -> a ShotReport."""
from kicky.analysis.analyse import analyse
from kicky.analysis.report import ShotReport
from kicky.analysis.scoring import score_report, summarise

__all__ = ["analyse", "ShotReport", "score_report", "summarise"]
