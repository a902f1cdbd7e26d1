"""What an Evaluate keeps of the results shown (no Qt here): the runs unchanged since, when the
new evaluation's rows compare with theirs; or all of them, when nothing changed at all."""

from __future__ import annotations

from pathlib import Path

from fmgen_gui.report.evaluated import Evaluated
from trainer.report.options import ReportOptions


def keeps(evaluated: Evaluated | None, options: ReportOptions | None) -> bool:
    """Whether an evaluation with `options` keeps results of `evaluated` (the one shown)."""
    return evaluated is not None and options is not None and not evaluated.redone_by(options)


def redoes(evaluated: Evaluated | None, options: ReportOptions | None) -> bool:
    """Whether an evaluation with `options` computes every run of `evaluated` again."""
    return evaluated is not None and options is not None and evaluated.redone_by(options)


def unchanged(
    evaluated: Evaluated | None, options: ReportOptions, runs: dict[str, Path], stale: bool
) -> bool:
    """Whether `evaluated` holds exactly `runs`, unchanged since (not `stale`), made with
    `options`' Samples and IWAE k: evaluating them again (seeded) gives the same numbers."""
    return keeps(evaluated, options) and set(runs) == set(evaluated.evaluation.runs) and not stale
