"""Where an evaluation wrote its metrics.json files, in words short enough for a status line."""

from __future__ import annotations

from pathlib import Path

NOT_WRITTEN = "metrics.json not written (see the message above)"


def written_words(paths: list[Path]) -> str:
    """'metrics.json written into each run's folder (hover for the paths)': the folders'
    full paths wrapped the trial's status line into three lines, breaking them mid-path."""
    if not paths:
        return NOT_WRITTEN
    where = "the run's folder" if len(paths) == 1 else "each run's folder"
    return f"metrics.json written into {where} (hover for the paths)"


def written_tip(paths: list[Path]) -> str:
    """The files' full paths, one a line (the status line's tooltip)."""
    return "\n".join(["metrics.json written to:", *map(str, paths)]) if paths else ""
