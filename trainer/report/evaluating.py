"""Evaluating the runs of a report's options: the one use case behind the Evaluate tab and
fmgen-evaluate / fmgen-report (Qt-free, with no command line: its messages name settings as the
Evaluate tab labels them, never a flag).

It checks the options, loads the data and the classifier (training it when none is cached) and
evaluates, reporting progress by stage; the command line has refused bad arguments before.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from trainer.common.errors import FmgenError
from trainer.config.settings import setting_problem
from trainer.config.values import EVALUATION_LABELS, EVALUATION_RANGES
from trainer.data.fashion_mnist import load_fashion_mnist
from trainer.evaluation.evaluate import CLASSIFIER, StageProgress, evaluate
from trainer.evaluation.finished import FinishedStages
from trainer.evaluation.results import Evaluation
from trainer.metrics.classifier import load_or_train_classifier
from trainer.registry import get_model
from trainer.report.options import ReportOptions
from trainer.runs.checkpoint import load_checkpoint, resolve_checkpoint_path
from trainer.runs.pins import Pin, run_key
from trainer.runs.snapshots import run_folder_of


def evaluate_options(
    options: ReportOptions,
    progress: StageProgress,
    cancel: threading.Event | None = None,
    stored_pins: Callable[[str], list[Pin]] | None = None,
    previous: Evaluation | None = None,
    finished: FinishedStages | None = None,
) -> Evaluation:
    """Check the options, load data and classifier, evaluate; `stored_pins` gives the app's
    pins of a run, for runs the options give no pairs; `previous`: results to keep, `finished`:
    stages finished before a cancel, kept (both evaluate's)."""
    if not options.runs:
        raise FmgenError("No run to evaluate: open or choose at least one run.")
    for name in EVALUATION_RANGES:  # the app builds options without the command line's types
        problem = setting_problem(name, getattr(options, name))
        if problem:
            raise FmgenError(f"{EVALUATION_LABELS[name][0]}: {problem}")
    # A run folder, its checkpoint.pt or a snapshot (checkpoints/epoch_NNN.pt): each is
    # evaluated as given, under its run's key (run_folder_of), as `evaluate` does.
    checkpoints = [resolve_checkpoint_path(run) for run in options.runs]  # fail early
    specs = {
        run_key(run_folder_of(path)): get_model(load_checkpoint(path).config.model)
        for path in checkpoints
    }
    data = load_fashion_mnist(options.data_dir, download=True, cancel=cancel)
    options.check(specs, data.test.labels.numpy())
    pins = options.pins(specs)
    if stored_pins is not None:
        pins = {key: mine or stored_pins(key) for key, mine in pins.items()}
    classifier, info = load_or_train_classifier(
        data, progress=lambda fraction, text: progress(CLASSIFIER, fraction, text), cancel=cancel
    )
    progress(CLASSIFIER, 1.0, f"{info.accuracy:.2%} test accuracy")
    settings = options.settings()
    return evaluate(
        options.runs, data, classifier, info, settings, progress, cancel, pins, previous, finished
    )
