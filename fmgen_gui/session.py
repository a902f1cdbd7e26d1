"""Session: the run folders the window had loaded, kept in QSettings for the next start.

Only paths are kept; the runs themselves are read again from their folders at start, so a
folder deleted or damaged meanwhile is skipped with a message (never a traceback).
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QSettings

from fmgen_gui.report.pane import EvaluationPane
from fmgen_gui.training.pane import TrainingPane
from trainer.common.errors import FmgenError
from trainer.data.labels import read_test_labels
from trainer.runs.checkpoint import CHECKPOINT_NAME
from trainer.runs.interrupted import interrupted_run

GROUP = "session"  # QSettings group: `settings.remove(GROUP)` forgets everything below
LOADED = f"{GROUP}/runs"  # the runs loaded in Train (so in Explore and Evaluate), one per model
CHOSEN = f"{GROUP}/chosen"  # the runs chosen in the Runs tab for Evaluate (absent: the loaded)
# The Evaluate tab's last entries, which win over those of the last evaluation it shows again.
EVALUATE_FIELDS = {"samples": "evaluate/samples", "iwae_k": "evaluate/iwae_k"}


def remember_runs(settings: QSettings, key: str, folders: list[Path] | None) -> None:
    """Keep `folders` under `key` (None: forget the key)."""
    if folders is None:
        settings.remove(key)
    else:
        settings.setValue(key, json.dumps([str(folder) for folder in folders]))


def remembered_runs(settings: QSettings, key: str) -> list[Path] | None:
    """The folders kept under `key`, or None when none are (or the value is damaged)."""
    try:
        values = json.loads(settings.value(key, "null"))
    except (TypeError, ValueError):
        return None
    if not isinstance(values, list):
        return None
    return [Path(value) for value in values if isinstance(value, str)]


def reopen(settings: QSettings, open_run: Callable[[Path], object]) -> tuple[list[Path], list[str]]:
    """Open each remembered loaded run with `open_run`: (the folders opened, one line per
    folder that could not be: gone, or damaged since)."""
    opened, problems = [], []
    for folder in remembered_runs(settings, LOADED) or []:
        try:
            open_run(folder)
        except (FmgenError, OSError, ValueError) as exc:  # a damaged file: its own words
            problems.append(f"{folder.name} ({exc})" if folder.is_dir() else f"{folder} (gone)")
            continue
        opened.append(folder)
    return opened, problems


def restore_session(settings: QSettings, training: TrainingPane, report: EvaluationPane) -> int:
    """Reopen the runs loaded at the last close (in Train, so in Explore and Evaluate too) and
    the Evaluate tab's choice; offer to resume the runs that were cut short. Returns how many
    runs were reopened."""
    opened, problems = reopen(settings, training.open_run)
    if problems:
        training.messages.show_message(
            "Not reopened: " + "; ".join(problems) + ". The other runs are back.", "info"
        )
    training.resume_banner.offer([run for run in map(interrupted_run, opened) if run])
    chosen = remembered_runs(settings, CHOSEN)
    if chosen is not None and all((f / CHECKPOINT_NAME).is_file() for f in chosen):
        report.choose_runs(chosen)
    # The pins list names a pinned test image's class; Explore's load gives the labels later.
    with contextlib.suppress(FmgenError, OSError):  # no data yet: the image numbers alone
        report.pins_list.set_test_labels(read_test_labels(report.data_dir()))
    for name, key in EVALUATE_FIELDS.items():
        if settings.contains(key):  # a damaged value reads 0, which the spin box clamps
            getattr(report, name).setValue(settings.value(key, 0, type=int))
    return len(opened)


def remember_session(settings: QSettings, training: TrainingPane, report: EvaluationPane) -> None:
    """Keep the loaded runs' folders (those with a checkpoint), Evaluate's choice and its
    Samples and IWAE k."""
    loaded = [f for f in training.run_dirs.values() if (f / CHECKPOINT_NAME).is_file()]
    remember_runs(settings, LOADED, loaded)
    remember_runs(settings, CHOSEN, report.chosen_folders())
    for name, key in EVALUATE_FIELDS.items():
        settings.setValue(key, getattr(report, name).value())
    settings.sync()
