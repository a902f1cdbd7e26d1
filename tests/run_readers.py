"""Every reader of a run folder, run once on a folder: what each made of it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from trainer.common.errors import FmgenError
from trainer.runs.archive import archive_run
from trainer.runs.facts import read_run_facts
from trainer.runs.follow import RunFollower
from trainer.runs.history import open_run_files
from trainer.runs.index import RunIndex
from trainer.runs.interrupted import interrupted_run
from trainer.runs.loading import load_learner

OK = "ok"


def _evaluation_reads(folder: Path) -> None:
    """What the evaluation and the report read of a run before any work: the learner from its
    newest snapshot (trainer.evaluation.evaluate._load) and its facts
    (trainer.evaluation.evaluate._evaluate_run)."""
    learner, checkpoint = load_learner(folder)
    read_run_facts(checkpoint, learner.trained_parameters, "label")


def reader_outcomes(folder: Path, scratch: Path) -> dict[str, str]:
    """For each reader, 'ok' or fmgen's error message; any other exception propagates.

    `scratch` takes what is not in the folder (the user's notes file, the archive).
    """
    index = RunIndex(scratch / "runs.json")
    readers: dict[str, Callable[[], object]] = {
        "runs index": lambda: index.row(folder),
        "open run": lambda: open_run_files(folder),
        "evaluate/report": lambda: _evaluation_reads(folder),
        "follow": lambda: RunFollower(folder).poll(),
        "archive": lambda: archive_run(folder, scratch / "run.zip"),
        "resume offer": lambda: interrupted_run(folder),
    }
    outcomes = {}
    for name, read in readers.items():
        try:
            read()
            outcomes[name] = OK
        except FmgenError as exc:
            outcomes[name] = str(exc)
    return outcomes
