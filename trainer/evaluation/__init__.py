"""Evaluating trained runs (layer 7): every number and picture of the report (`evaluate`), the
results it returns, the metrics.json writer, the comparison table's facts, calibration
against real data and noise, and the sweep figure's points.
"""

__all__ = [
    "calibration",
    "comparison",
    "document",
    "evaluate",
    "pictures",
    "results",
    "sweep_points",
]
