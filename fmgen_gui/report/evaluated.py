"""What the shown evaluation was computed on, run by run, kept between sessions (no Qt here).

An evaluation stays current for each run whose checkpoint and pins are as they were: training
another model only adds a run that is not evaluated yet, which Evaluate then adds on its own.
The last evaluation is kept in the user cache folder and shown again at the next start while
its runs are unchanged.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from trainer.common.files import user_cache_dir
from trainer.common.plain_file import load_plain, save_plain
from trainer.common.words import join_words, plural
from trainer.config.settings import setting_problem
from trainer.evaluation.dial_sweep import DIAL_SWEEPS
from trainer.evaluation.evaluate import DIALS, LIKELIHOOD, StageProgress
from trainer.evaluation.finished import FinishedStages
from trainer.evaluation.pictures import LabelledGrid, PathPicture
from trainer.evaluation.results import Evaluation, RunEvaluation
from trainer.registry import model_names
from trainer.report.evaluating import evaluate_options
from trainer.report.options import PairOption, ReportOptions
from trainer.runs.facts import RunFacts
from trainer.runs.pins import Pin
from trainer.sampling.explore import Strip

RunState = tuple[str, int, tuple[Pin, ...]]  # checkpoint path, its mtime in ns, the run's pins
LAST_FILE = "last-evaluation.npz"
LAST_FORM = "fmgen-last-evaluation-1"  # a new number when Evaluated's contents change
SHOWN_OPTIONS = ("samples", "iwae_k")  # the options the pane's boxes show


def run_states(runs: dict[str, Path], pins: Callable[[str], list[Pin]]) -> dict[str, RunState]:
    """Each run's checkpoint (with its time: 0 when gone) and pins, by run key."""
    return {
        key: (str(path), path.stat().st_mtime_ns if path.exists() else 0, tuple(pins(key)))
        for key, path in runs.items()
    }


@dataclass(frozen=True)
class Evaluated:
    """An evaluation, the options it was made with, and what each of its runs was then."""

    evaluation: Evaluation
    options: ReportOptions
    runs: dict[str, RunState]

    def changed(self, pins: Callable[[str], list[Pin]]) -> list[str]:
        """Its runs whose checkpoint (trained on, or gone) or pins changed since."""
        paths = {key: Path(state[0]) for key, state in self.runs.items()}
        now = run_states(paths, pins)
        return [key for key, state in self.runs.items() if now[key] != state]

    def missing(self, loaded: dict[str, Path]) -> list[str]:
        """Loaded runs that it does not hold (e.g. a model trained since)."""
        return [key for key in loaded if key not in self.runs]

    @staticmethod
    def may_be_capped(options: ReportOptions) -> bool:
        """Whether `options`' sample count depends on the runs: Samples above the CPU cap of a
        slow sampler (evaluate.sample_count), so adding or removing a DDPM changes it."""
        return options.slow_on_cpu != 0 and options.samples > options.slow_on_cpu

    def redone_by(self, options: ReportOptions) -> bool:
        """Whether an evaluation with `options` computes every run again: rows of another
        size or another IWAE k do not compare with these (evaluate keeps none of them)."""
        return any(getattr(options, name) != getattr(self.options, name) for name in SHOWN_OPTIONS)

    def keep(self, loaded: dict[str, Path], pins: Callable[[str], list[Pin]]) -> Evaluation:
        """Its results of the loaded runs that are unchanged: what a new evaluation reuses."""
        changed = set(self.changed(pins))
        runs = {k: r for k, r in self.evaluation.runs.items() if k in loaded and k not in changed}
        return replace(self.evaluation, runs=runs)


# The only classes the kept file may build: a tampered file cannot name any other.
KEPT_CLASSES = (
    Evaluated,
    Evaluation,
    RunEvaluation,
    RunFacts,
    LabelledGrid,
    PathPicture,
    Strip,
    Pin,
    ReportOptions,
    PairOption,
)


def save_last(evaluated: Evaluated, folder: Path | None = None) -> None:
    """Keep `evaluated` for the next start (atomically; a failed write only loses that)."""
    path = (folder or user_cache_dir()) / LAST_FILE
    with contextlib.suppress(OSError):  # a cache: the next start merely shows no results
        save_plain(path, evaluated, LAST_FORM)


def load_last(pins: Callable[[str], list[Pin]], folder: Path | None = None) -> Evaluated | None:
    """The kept evaluation when every run it was made of is unchanged, else None.

    The file is read without pickle (see trainer.common.plain_file): one copied in or tampered with
    cannot run code, and one that is damaged is ignored.
    """
    path = (folder or user_cache_dir()) / LAST_FILE
    try:
        evaluated = load_plain(path, LAST_FORM, KEPT_CLASSES)
        # Inside the try: a tampered file may build an Evaluated of the wrong shape.
        if not _well_formed(evaluated) or evaluated.changed(pins):
            return None
    except (OSError, ValueError, TypeError, AttributeError, IndexError):
        return None  # gone, damaged, or from another fmgen version: no results to show
    return evaluated


def drop_last(folder: Path | None = None) -> None:
    """Forget the kept evaluation (one that could not be shown), so no later start meets it."""
    with contextlib.suppress(OSError):  # a cache: one left behind is only shown to fail again
        ((folder or user_cache_dir()) / LAST_FILE).unlink(missing_ok=True)


def _well_formed(evaluated: object) -> bool:
    """True when `evaluated` has the types the pane reads: the classes load_plain builds take
    whatever the file holds, and each run's model must still be in the registry."""
    if not isinstance(evaluated, Evaluated) or not isinstance(evaluated.runs, dict):
        return False
    evaluation = evaluated.evaluation
    options = evaluated.options
    return (
        isinstance(options, ReportOptions)
        and not any(setting_problem(name, getattr(options, name)) for name in SHOWN_OPTIONS)
        and isinstance(evaluation, Evaluation)
        and isinstance(evaluation.metrics, dict)
        and isinstance(evaluation.runs, dict)
        and all(_well_formed_run(run) for run in evaluation.runs.values())
    )


def _well_formed_run(run: object) -> bool:
    return (
        isinstance(run, RunEvaluation)
        and isinstance(run.facts, RunFacts)
        and run.facts.model in model_names()
        and isinstance(run.metrics, dict)
        and isinstance(run.grids, dict)
        and isinstance(run.paths, list)
    )


def duration_words(seconds: float) -> str:
    """'45 s', '8 min 10 s', '1 h 2 min'."""
    seconds = round(seconds)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours} h {minutes} min"
    return f"{minutes} min {secs} s" if minutes else f"{secs} s"


class StagePace:
    """How long each stage has run and, once it has a rate, about how long it has left: from
    the fractions the stage reports (monotonic seconds), so no stage is a blind wait."""

    RATE_AFTER = 2.0  # seconds of progress before an estimate: the first batches mislead

    def __init__(self) -> None:
        self.first: dict[str, tuple[float, float]] = {}  # stage: (time, fraction) first seen
        self.ended: dict[str, float] = {}  # stage: time it reported its whole share done

    def reset(self) -> None:
        """A new evaluation: every stage's clock starts at its next report."""
        self.first.clear()
        self.ended.clear()

    def words(self, stage: str, fraction: float) -> str:
        """'1 min 5 s so far, about 2 min 10 s left'; once done, 'took 1 min 46 s'; '' at a
        stage's first report."""
        now = time.monotonic()
        began, start = self.first.setdefault(stage, (now, fraction))
        if fraction >= 1:
            self.ended.setdefault(stage, now)
            return self.took(stage)
        elapsed = now - began
        if elapsed < 1:
            return ""
        text = f"{duration_words(elapsed)} so far"
        if start < fraction < 1 and elapsed >= self.RATE_AFTER:
            left = (1 - fraction) * elapsed / (fraction - start)
            text += f", about {duration_words(left)} left"
        return text

    def took(self, stage: str) -> str:
        """'took 1 min 46 s' from the stage's first report to its end (or now); '' for a stage
        that never reported or took under a second."""
        if stage not in self.first:
            return ""
        seconds = self.ended.get(stage, time.monotonic()) - self.first[stage][0]
        return f"took {duration_words(seconds)}" if seconds >= 1 else ""


class EvaluationClock:
    """Wall-clock time from the user's click, and how much of it the classifier's training
    took when the evaluation had to wait for it (monotonic seconds)."""

    def __init__(self) -> None:
        self.clicked = self.classifier_ready = 0.0
        self.classifier_trained = False

    def start(self) -> None:
        """The user pressed Evaluate."""
        self.clicked, self.classifier_ready = time.monotonic(), 0.0
        self.classifier_trained = False

    def classifier_at(self, fraction: float) -> None:
        """The classifier stage's progress (under 1: it is being trained meanwhile)."""
        self.classifier_trained |= fraction < 1
        if fraction >= 1 and self.classifier_trained and not self.classifier_ready:
            self.classifier_ready = time.monotonic()

    def text(self, kept: list[str] | None = None) -> str:
        """'Evaluated in 8 min 10 s, including 3 min 0 s training the classifier', and which
        runs' results were `kept` rather than evaluated again."""
        text = f"Evaluated in {duration_words(time.monotonic() - self.clicked)}"
        if self.classifier_trained:
            waited = (self.classifier_ready or time.monotonic()) - self.clicked
            text += f", including {duration_words(waited)} training the classifier"
        if kept:
            text += f" (the results of {join_words(kept)} kept as they were)"
        return text


def stale_words(
    busy: bool, stale: bool, missing: list[str], again: bool = False, capped: bool = False
) -> str:
    """The mark beside the results: stale, which loaded runs they do not hold yet, or (while
    busy) which runs an evaluation adds to them, or that it computes them all `again`.

    `capped`: the sample count may be capped (Samples above the CPU cap of a slow sampler), so
    whether the kept rows stay depends on the runs, which only the evaluation finds out.
    """
    if stale:
        return "stale: re-evaluating" if busy else "stale: press Evaluate"
    if busy and again:
        return "evaluating every run again: Samples or IWAE k changed…"
    if busy and missing and capped:
        return (
            f"adding {join_words(missing)}… (every run again if a slow sampler's CPU cap "
            "changes the sample count)"
        )
    if busy:
        return f"adding {join_words(missing)}…" if missing else ""
    if missing:
        them = "it" if len(missing) == 1 else "them"
        return f"not evaluated yet: {join_words(missing)} (Evaluate adds {them})"
    return ""


def evaluation_job(
    options: ReportOptions,
    report: StageProgress,
    pins: dict[str, list[Pin]],
    previous: Evaluation | None = None,
    finished: FinishedStages | None = None,
):
    """The background job: check, load, evaluate (keeping `previous`' runs, and `finished`'s
    stages, which it fills); returns plain numbers and images."""

    def job(_, cancel) -> Evaluation:  # progress goes through `report`, by stage
        return evaluate_options(
            options, report, cancel, lambda key: pins.get(key, []), previous, finished
        )

    return job


def skipped_stages(evaluation: Evaluation) -> dict[str, str]:
    """Why a stage of `evaluation` had nothing to do, by stage (the bars say it when done)."""
    runs = evaluation.runs.values()
    skipped = {}
    if not any(run.spec.scores_likelihood for run in runs):
        skipped[LIKELIHOOD] = "no run has a likelihood (GANs have none)"
    if not any(DIAL_SWEEPS in run.metrics for run in runs):
        skipped[DIALS] = "no run has a sampler dial swept"
    return skipped


def waiting_text(runs: list[str], chosen: bool) -> str:
    """What the status line says before the first evaluation: which runs Evaluate takes."""
    if not runs:
        return "Train or open runs, then press Evaluate."
    where = "chosen in the Runs tab" if chosen else "loaded"
    return f"{plural(len(runs), 'run')} {where} ({join_words(runs)}): press Evaluate."
