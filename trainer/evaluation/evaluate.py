"""Evaluate trained runs of any registered model: every number of the report and its pictures.

What each run gets comes from its registry entry: every model has sample metrics; a model with
an approximate posterior also has the ELBO's terms, the IWAE bound and reconstructions.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import torch

from trainer.common.errors import FmgenError
from trainer.common.grids import tile
from trainer.config.precision import full_precision
from trainer.data.fashion_mnist import FashionMNIST
from trainer.evaluation.calibration import calibrate
from trainer.evaluation.comparison import (
    COST_SECTION,
    LIKELIHOOD_SECTION,
    sample_cost,
    test_likelihood,
)
from trainer.evaluation.dial_sweep import DIAL_SWEEPS, SweepJob, dial_sweeps
from trainer.evaluation.document import metrics_document
from trainer.evaluation.next_run import naming_the_next
from trainer.evaluation.pictures import (
    LabelledGrid,
    check_pin,
    path_pictures,
    reconstruction_grids,
)
from trainer.evaluation.real_features import real_features
from trainer.evaluation.results import Evaluation, EvaluationSettings, RunEvaluation
from trainer.evaluation.sweep_points import sweep_section
from trainer.evaluation.translation import evaluate_translator
from trainer.learners import GRID_SIZE, Learner
from trainer.metrics.classifier import ClassifierInfo, FashionClassifier
from trainer.metrics.distribution import Features, compare, describe
from trainer.metrics.reconstruction import per_image_terms, summarize, worst_per_class
from trainer.registry import ModelSpec, get_model
from trainer.runs.checkpoint import Checkpoint
from trainer.runs.facts import read_run_facts, run_labels
from trainer.runs.loading import load_learner
from trainer.runs.metrics_json import CALIBRATION as CALIBRATION_SECTION
from trainer.runs.metrics_json import SAMPLES_SECTION, SWEEP, TEST_SECTION
from trainer.runs.pins import Pin, run_key
from trainer.runs.snapshots import run_folder_of
from trainer.sampling.samples import SampleRequest, generate, request_labels

# (stage, fraction of that stage done, what is being done): each stage has its own progress.
StageProgress = Callable[[str, float, str], None]
CLASSIFIER, LIKELIHOOD, SAMPLES, CALIBRATION = "classifier", "likelihood", "samples", "calibration"
DIALS = "dials"
FEATURES = "features"
STAGES = {
    CLASSIFIER: "training the classifier (once)",
    FEATURES: "test-set features (once a session)",
    LIKELIHOOD: "test likelihood",
    SAMPLES: "samples",
    DIALS: "sampler dial sweep",
    CALIBRATION: "calibration",
}


def evaluate_encoder(
    learner: Learner,
    spec: ModelSpec,
    data: FashionMNIST,
    settings: EvaluationSettings,
    progress: Callable[[float], None],
    cancel: threading.Event | None,
) -> tuple[dict, dict[str, LabelledGrid]]:
    """The ELBO's terms, the IWAE bound and reconstruction errors (overall, per class, worst)."""
    split = data.test
    x = learner.prepare(split.images, torch.Generator().manual_seed(settings.seed))
    errors = per_image_terms(
        learner, x, split.labels, settings.iwae_k, settings.seed, progress=progress, cancel=cancel
    )
    labels = split.labels.numpy()
    result = summarize(errors, labels, data.classes, settings.iwae_k, learner.discrete_likelihood)
    result["bound_of"] = spec.likelihood.of  # 'p(x|y)' for a conditional model
    worst = {
        data.classes[label]: indices.tolist()
        for label, indices in worst_per_class(errors, labels).items()
    }
    result["worst"] = worst
    return result, reconstruction_grids(learner, split, worst, settings.seed)


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


@dataclass(frozen=True)
class _Job:
    """What evaluating one run needs besides the run."""

    data: FashionMNIST
    classifier: FashionClassifier
    real: Features  # of the test set
    settings: EvaluationSettings
    count: int  # images per row of the sample table
    cancel: threading.Event | None


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
) -> Evaluation:
    """Evaluate any number of runs (of any models) against the test set.

    `pins` holds the interpolations to draw, by run key (a role with none gets a random pair).
    `previous` holds results to keep: its runs (the caller vouches that their checkpoints and
    pins are unchanged) are not evaluated again, nor the calibration rows, when they were
    computed the same way (same settings, classifier and sample count, same label).
    """
    settings = settings or EvaluationSettings()
    report = progress or (lambda stage, fraction, text: None)
    pins = pins or {}
    started = time.perf_counter()
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
    job = _Job(data, classifier, real, settings, count, cancel)
    # Each stage's bar is shared by the runs computed now: a kept run takes none of it (else
    # a DDPM added to two kept runs starts its bar at 67% and crawls over the last third).
    fresh = [key for key in loaded if key not in kept]
    scored = [key for key in fresh if _spec(loaded[key][1]).scores_likelihood]
    runs = {}
    for key, (learner, checkpoint) in loaded.items():
        if key in kept:
            runs[key] = kept[key]
            continue
        position = (fresh.index(key), len(fresh))
        share = _run_share(report, position, (sum(k in scored for k in runs), len(scored)))
        share = naming_the_next(share, key, {LIKELIHOOD: scored, SAMPLES: fresh}, labels)
        runs[key] = _evaluate_run(learner, checkpoint, labels[key], pins.get(key, []), job, share)
    if kept and previous is not None:  # per data set and sample count: the same rows again
        calibration = previous.metrics[CALIBRATION_SECTION]
    else:
        calibration = calibrate(
            classifier,
            data,
            real,
            count,
            (settings.pr_k, settings.seed),
            lambda f: report(CALIBRATION, f, "real training images and noise against the test set"),
            cancel,
        )
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


def _run_share(
    report: StageProgress, run: tuple[int, int], scored: tuple[int, int]
) -> StageProgress:
    """`report` for one run: its (position, count) among all runs, and among the runs that
    get a test likelihood."""

    def share(stage: str, fraction: float, text: str) -> None:
        position, count = scored if stage == LIKELIHOOD else run
        report(stage, (position + fraction) / max(count, 1), text)

    return share


def _evaluate_run(
    learner: Learner,
    checkpoint: Checkpoint,
    label: str,
    pins: list[Pin],
    job: _Job,
    report: StageProgress,
) -> RunEvaluation:
    """One run's facts, metrics and pictures; `report` gets this run's share of each stage."""
    spec, settings = _spec(checkpoint), job.settings
    run = RunEvaluation(read_run_facts(checkpoint, learner.trained_parameters, label), {})
    if spec.translates:  # it draws no samples: the classifier reads its translations instead
        run.metrics, run.grids = evaluate_translator(
            learner,
            spec,
            job.data,
            job.classifier,
            job.cancel,
            lambda f: report(SAMPLES, f, f"{label}: translating the test images"),
        )
        return run
    if spec.posterior:
        run.metrics[TEST_SECTION], run.grids = evaluate_encoder(
            learner,
            spec,
            job.data,
            settings,
            lambda f: report(LIKELIHOOD, f, f"{label}: k = {settings.iwae_k}"),
            job.cancel,
        )
    own = f"{label}: {spec.likelihood.estimate}"  # the flow's or the DDPM's own likelihood
    with learner.reporting(lambda f: report(LIKELIHOOD, f, own)):
        run.metrics[LIKELIHOOD_SECTION] = test_likelihood(
            learner, spec, run.metrics.get(TEST_SECTION), job.data.test, job.cancel
        )
    started = time.perf_counter()
    labels = request_labels(spec.name, SampleRequest(job.count))  # every class equally often
    samples = generate(
        learner,
        job.count,
        settings.seed,
        labels,
        job.cancel,
        lambda f: report(SAMPLES, f, f"{label}: {round(f * job.count):,} of {job.count:,} samples"),
    )
    seconds = time.perf_counter() - started
    run.metrics[COST_SECTION] = sample_cost(learner, spec, job.count, seconds)
    run.grids["samples"] = LabelledGrid(tile(samples[:GRID_SIZE]))
    features = describe(job.classifier, samples, job.cancel)
    run.metrics[SAMPLES_SECTION] = compare(
        job.real, features, settings.pr_k, job.cancel, settings.seed
    )
    if spec.dials and settings.dial_sweep:  # the same latents and classes at every value
        sweep = SweepJob(
            job.count,
            settings.seed,
            labels,
            job.real,
            job.classifier,
            settings.pr_k,
            job.cancel,
            features,  # the table's samples are the point at each dial's current value
        )
        run.metrics[DIAL_SWEEPS] = dial_sweeps(
            learner, spec.dials, sweep, lambda f: report(DIALS, f, f"{label}: dial sweep")
        )
    key = run.facts.key
    fallback = Pin(key, "within", "test", 0, 0, settings.interpolation, False, settings.steps)
    run.paths = path_pictures(learner, spec, job.data.test, pins, fallback, settings.seed)
    return run


def _spec(checkpoint: Checkpoint) -> ModelSpec:
    return get_model(checkpoint.config.model)
