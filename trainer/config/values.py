"""Value checks below the settings: the range type of a number setting, the evaluation's work
ranges, and what is wrong with one number (the config, the command lines and the app's fields
word a refusal alike because they all ask here)."""

from __future__ import annotations

import math
from typing import Any, NamedTuple


class Range(NamedTuple):
    """The values a number setting may take: low..high (low itself only when `low_allowed`)."""

    low: float
    high: float
    low_allowed: bool = True


# The evaluation's work settings (fmgen-evaluate, fmgen-report, the Report tab): (lowest,
# highest, what the highest protects). Time and memory grow in proportion to each.
EVALUATION_RANGES = {
    "samples": (10, 60_000, "FID and precision/recall hold every sample's features in memory"),
    "iwae_k": (
        1,
        5_000,
        "the IWAE bound decodes k samples per test image: 5,000 is 50x the default",
    ),
    "steps": (2, 50, "more images than one strip on the page can show"),
    "slow_on_cpu": (10, 60_000, "as samples; 0: no cap"),
}
# What people call the evaluation's settings (the Evaluate tab's boxes, its messages) and what
# each does (their tooltips and the command line's help).
EVALUATION_LABELS = {
    "samples": ("Samples", "images per row of the sample table (generated, real or noise)"),
    "iwae_k": ("IWAE k", "importance samples per test image for the IWAE bound"),
    "steps": ("Strip steps", "images along each interpolation strip"),
    "slow_on_cpu": ("Samples of a slow sampler on the CPU", "the cap on samples per row"),
}


def int_problem(value: Any, low: float, high: float) -> str | None:
    """What is wrong with `value` as a whole number in low..high, or None."""
    if not isinstance(value, int) or isinstance(value, bool):
        return f"{value!r} is not a whole number"
    return None if low <= value <= high else f"{value} is outside {low}..{high}"


def float_problem(value: Any, low: float, high: float, low_allowed: bool) -> str | None:
    """What is wrong with `value` as a finite number in low..high (low itself only when
    `low_allowed`), or None."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return f"{value!r} is not a finite number"
    if not (low <= value if low_allowed else low < value) or value > high:
        bound = "at least" if low_allowed else "above"
        return f"{value} must be {bound} {low} and at most {high}"
    return None


def betas_problem(betas: Any) -> str | None:
    """What is wrong with Adam's (beta1, beta2), or None: two numbers in 0..1, below 1."""
    valid = (
        isinstance(betas, tuple)
        and len(betas) == 2
        and all(isinstance(b, (int, float)) and not isinstance(b, bool) for b in betas)
        and all(0 <= b < 1 for b in betas)
    )
    return None if valid else f"{betas!r} must be two numbers in 0..1 (below 1)"
