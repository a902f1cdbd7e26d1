"""Evaluate trained runs of any registered model: every number of the report and its pictures.

What each run gets comes from its registry entry: every model has sample metrics; a model with
an approximate posterior also has the ELBO's terms, the IWAE bound and reconstructions.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict
from functools import partial
from pathlib import Path

from trainer.common.errors import FmgenError
from trainer.common.words import join_words
from trainer.config.precision import full_precision
from trainer.data.fashion_mnist import FashionMNIST
from trainer.evaluation.calibration import calibrate
from trainer.evaluation.document import metrics_document
from trainer.evaluation.finished import (
    EARLIER,
    NO_RUN,
    Basis,
    FinishedStages,
    RunSnapshot,
    StageResult,
    basis_of,
    run_snapshot,
)
from trainer.evaluation.next_run import naming_the_next
from trainer.evaluation.pictures import check_pin, path_pictures
from trainer.evaluation.real_features import real_features, split_digest
from trainer.evaluation.results import Evaluation, EvaluationSettings, RunEvaluation
from trainer.evaluation.run_stages import (
    Progress,
    RunJob,
    dials_stage,
    likelihood_stage,
    samples_stage,
    translation_stage,
)
from trainer.evaluation.sweep_points import sweep_section
from trainer.learners import Learner
from trainer.metrics.classifier import ClassifierInfo, FashionClassifier
from trainer.registry import ModelSpec, get_model
from trainer.runs.checkpoint import Checkpoint
from trainer.runs.facts import read_run_facts, run_labels
from trainer.runs.loading import load_learner
from trainer.runs.metrics_json import CALIBRATION as CALIBRATION_SECTION
from trainer.runs.metrics_json import SWEEP
from trainer.runs.pins import Pin, run_key
from trainer.runs.snapshots import run_folder_of

# (stage, fraction of that stage done, what is being done): each stage has its own progress.
StageProgress = Callable[[str, float, str], None]
CLASSIFIER, LIKELIHOOD, SAMPLES, CALIBRATION = "classifier", "likelihood", "samples", "calibration"
DIALS = "dials"
FEATURES = "features"
CALIBRATION_WORDS = "real training images and noise against the test set"
STAGES = {
    CLASSIFIER: "training the classifier (once)",
    FEATURES: "test-set features (once a session)",
    LIKELIHOOD: "test likelihood",
    SAMPLES: "samples",
    DIALS: "sampler dial sweep",
    CALIBRATION: "calibration",
}


def _load(run_dirs: Sequence[Path | str], device: str) -> dict[str, tuple[Learner, Checkpoint]]:
    """Learners by run key, in the order given; a run named twice is an error."""
    loaded: dict[str, tuple[Learner, Checkpoint]] = {}
    for path in run_dirs:
        learner, checkpoint = load_learner(path, device=device)
        key = run_key(run_folder_of(checkpoint.path))
        if key in loaded:
            raise FmgenError(f"the run {key} is named twice: name each run once")
        loaded[key] = (learner, checkpoint)
    return loaded


@full_precision()  # scores are float32 whatever the caller's autocast
def evaluate(
    run_dirs: Sequence[Path | str],
    data: FashionMNIST,
    classifier: FashionClassifier,
    classifier_info: ClassifierInfo,
    settings: EvaluationSettings | None = None,
    progress: StageProgress | None = None,
    cancel: threading.Event | None = None,
    pins: Mapping[str, list[Pin]] | None = None,
    previous: Evaluation | None = None,
    finished: FinishedStages | None = None,
) -> Evaluation:
    """Evaluate any number of runs (of any models) against the test set.

    `pins` holds the interpolations to draw, by run key (a role with none gets a random pair).
    `previous` holds results to keep: its runs (the caller vouches that their checkpoints and
    pins are unchanged) are not evaluated again, nor the calibration rows, when they were
    computed the same way (same settings, classifier and sample count, same label).
    `finished` keeps each stage as it finishes, so that an evaluation cancelled (or failed)
    part-way leaves them to the next one, which reuses those of unchanged runs.
    """
    settings = settings or EvaluationSettings()
    report = progress or (lambda stage, fraction, text: None)
    pins = pins or {}
    started = time.perf_counter()
    # Each run as it is before it is loaded: a checkpoint written while this evaluation runs
    # makes its results count as older ones, never an older checkpoint's as newer ones.
    taken = [run_snapshot("", run) for run in run_dirs]
    loaded = _load(run_dirs, settings.device)
    labels = run_labels({key: checkpoint.config for key, (_, checkpoint) in loaded.items()})
    for key, (_, checkpoint) in loaded.items():
        for pin in pins.get(key, []):
            check_pin(pin, _spec(checkpoint), len(data.test))
    count = sample_count(settings, len(data.train), [learner for learner, _ in loaded.values()])
    kept = _reusable(previous, labels, count, settings, classifier_info)
    # Its own stage, so the samples stage's clock (and estimate) starts when sampling does.
    test_size = len(data.test)
    real = real_features(
        classifier,
        classifier_info,
        data.test,
        cancel,
        lambda f: report(FEATURES, f, f"{round(f * test_size):,} of {test_size:,} test images"),
    )
    job = RunJob(data, classifier, real, settings, count, cancel, finished or FinishedStages())
    # Each stage's bar is shared by the runs that compute it now: a kept run (or one whose part
    # was finished before a cancel) takes none of it (else a DDPM added to two kept runs starts
    # its bar at 67% and crawls over the last third).
    fresh = [key for key in loaded if key not in kept]
    where = {key: (key, *snapshot[1:]) for key, snapshot in zip(loaded, taken, strict=True)}
    calibrate_now = not (kept and previous)
    basis = basis_of(settings, classifier_info, count, split_digest(data.test))
    takes = _stages_of(fresh, loaded, settings, calibrate_now)
    order = _plan(job.finished, basis, takes, where, labels, report)
    runs = {}
    for key, (learner, checkpoint) in loaded.items():
        if key in kept:
            runs[key] = kept[key]
            continue
        share = naming_the_next(_run_share(report, key, order), key, order, labels)
        runs[key] = _evaluate_run(
            learner, checkpoint, (labels[key], where[key]), pins.get(key, []), job, share
        )
    if kept and previous is not None:  # per data set and sample count: the same rows again
        calibration = previous.metrics[CALIBRATION_SECTION]
    else:
        calibration = _calibration(job, report)
    document = metrics_document(
        runs, calibration, data, classifier_info, settings, count, time.perf_counter() - started
    )
    document[SWEEP] = sweep_section(document)  # from the numbers above, not measured again
    return Evaluation(document, runs)


def _reusable(
    previous: Evaluation | None,
    labels: dict[str, str],
    count: int,
    settings: EvaluationSettings,
    classifier_info: ClassifierInfo,
) -> dict[str, RunEvaluation]:
    """The runs of `previous` that stand as they are among `labels`' runs: computed with these
    settings, this classifier and this many samples (every row of the table must share them),
    under the label they get now (a label names what tells runs of one model apart)."""
    if previous is None or (
        previous.metrics["sample_count"] != count
        or previous.metrics["settings"] != asdict(settings)
        or previous.metrics["classifier"] != asdict(classifier_info)
    ):
        return {}
    return {
        key: run
        for key, run in previous.runs.items()
        if key in labels and run.facts.label == labels[key]
    }


def sample_count(settings: EvaluationSettings, train_size: int, learners: list[Learner]) -> int:
    """Samples per row of the sample table, the same for every row: the asked number, at most
    the training set (the floor row), and at most `slow_on_cpu` where a multi-step sampler
    runs on the CPU."""
    count = min(settings.samples, train_size)
    slow = any(
        learner.device.type == "cpu" and learner.spec.sample_cost > 1 for learner in learners
    )
    return min(count, settings.slow_on_cpu) if slow and settings.slow_on_cpu else count


def _stages_of(
    fresh: list[str],
    loaded: dict[str, tuple[Learner, Checkpoint]],
    settings: EvaluationSettings,
    calibrate_now: bool,
) -> dict[str, list[str]]:
    """Which of the runs evaluated now take part in each stage ('' for the calibration rows)."""
    specs = {key: _spec(loaded[key][1]) for key in fresh}
    return {
        LIKELIHOOD: [key for key in fresh if specs[key].scores_likelihood],
        SAMPLES: fresh,
        DIALS: [key for key in fresh if specs[key].dials and settings.dial_sweep],
        CALIBRATION: [""] if calibrate_now else [],
    }


def _plan(
    finished: FinishedStages,
    basis: Basis,
    takes: dict[str, list[str]],
    where: dict[str, RunSnapshot],
    labels: dict[str, str],
    report: StageProgress,
) -> dict[str, list[str]]:
    """Tell `finished` (under `basis`) which runs take part in each stage, and each stage's
    bar which runs' part of it was finished before a cancel and is reused (all of it: the bar
    is full); by stage, the runs that compute it now."""
    where = {**where, "": NO_RUN}
    plan = {
        stage: {where[key]: labels.get(key, "") for key in keys} for stage, keys in takes.items()
    }
    finished.use(basis, plan)
    order = {}
    for stage, keys in takes.items():
        order[stage] = [key for key in keys if finished.get(where[key], stage) is None]
        reused = [key for key in keys if key not in order[stage]]
        if reused:
            whose = join_words([labels[key] for key in reused if key])  # '': calibration
            text = f"{whose}: reused" if whose else "reused"
            report(stage, 0.0 if order[stage] else 1.0, f"{text}, {EARLIER}")
    return order


def _calibration(job: RunJob, report: StageProgress) -> dict:
    """The calibration rows, as kept from before a cancel or computed now (and kept)."""

    def compute() -> StageResult:
        return StageResult(
            calibrate(
                job.classifier,
                job.data,
                job.real,
                job.count,
                (job.settings.pr_k, job.settings.seed),
                lambda f: report(CALIBRATION, f, CALIBRATION_WORDS),
                job.cancel,
            )
        )

    return job.finished.result(NO_RUN, CALIBRATION, compute).metrics


def _run_share(report: StageProgress, key: str, order: dict[str, list[str]]) -> StageProgress:
    """`report` for run `key`: its share of each stage's bar, among `order`'s runs (those
    that compute the stage now)."""

    def share(stage: str, fraction: float, text: str) -> None:
        runs = order.get(stage, [])
        if key in runs:
            report(stage, (runs.index(key) + fraction) / len(runs), text)

    return share


def _evaluate_run(
    learner: Learner,
    checkpoint: Checkpoint,
    label_snapshot: tuple[str, RunSnapshot],
    pins: list[Pin],
    job: RunJob,
    report: StageProgress,
) -> RunEvaluation:
    """One run's facts, metrics and pictures; `report` gets this run's share of each stage.
    Each stage finished is kept in `job.finished` (under the run's snapshot), and taken from
    there when it was finished before."""
    spec, (label, snapshot) = _spec(checkpoint), label_snapshot
    run = RunEvaluation(read_run_facts(checkpoint, learner.trained_parameters, label), {})

    def stage(name: str, compute: Callable[[Progress], StageResult]) -> StageResult:
        result = job.finished.result(
            snapshot, name, lambda: compute(lambda f, text: report(name, f, text))
        )
        run.metrics.update(result.metrics)
        run.grids.update(result.grids)
        return result

    if spec.translates:  # it draws no samples: the classifier reads its translations instead
        stage(SAMPLES, partial(translation_stage, learner, spec, label, job))
        return run
    stage(LIKELIHOOD, partial(likelihood_stage, learner, spec, label, job))
    samples = stage(SAMPLES, partial(samples_stage, learner, spec, label, job))
    if spec.dials and job.settings.dial_sweep:
        stage(DIALS, partial(dials_stage, learner, spec, label, job, samples.features))
    settings = job.settings
    fallback = Pin(
        run.facts.key, "within", "test", 0, 0, settings.interpolation, False, settings.steps
    )
    run.paths = path_pictures(learner, spec, job.data.test, pins, fallback, settings.seed)
    return run


def _spec(checkpoint: Checkpoint) -> ModelSpec:
    return get_model(checkpoint.config.model)
