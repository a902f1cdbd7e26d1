"""The DDPM's number of timesteps and the ranges of t that its bound is stratified by.

Torch-free, because the registry names a test metric per range. Indices t = 0..T-1 stand for
the paper's t = 1..T. The ranges double in width, [0, 1), [1, 2), [2, 4), ... [512, T): the
bound's terms and the denoising loss change fastest at small t, and equal tenths of T left
the first tenth with 8 times the standard error at the same cost (measured on a trained model).
"""

from __future__ import annotations

import itertools

STEPS = 1000


def strata(steps: int = STEPS) -> tuple[tuple[int, int], ...]:
    """Index ranges [low, high) covering 0..steps-1: the single first step, then doubling."""
    edges = [0, 1]
    while edges[-1] * 2 < steps:
        edges.append(edges[-1] * 2)
    edges.append(steps)
    return tuple(itertools.pairwise(edges))


def range_label(low: int, high: int) -> str:
    """'t 5-8': the paper's t (index + 1) of an index range."""
    return f"t {low + 1}" if high == low + 1 else f"t {low + 1}-{high}"
