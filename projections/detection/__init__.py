"""Automatic detection: a follower of the log that records candidate violations and
e-supervision signals (``detector.py``), one small module per family of detections with
pure functions from facts to candidates. ``docs/detection.md`` describes each detection."""

from projections.detection.detector import Detector

__all__ = ["Detector"]
