"""One run's stages of an evaluation, each returned whole as a StageResult that a cancel keeps
(trainer.evaluation.finished): the test likelihood (with the ELBO's terms, the IWAE bound and
reconstructions where the model has an encoder), the samples and their scores, the sampler dial
sweep. `progress(fraction, text)` is the stage's own bar.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import torch

from trainer.common.grids import tile
from trainer.data.fashion_mnist import FashionMNIST
from trainer.evaluation.comparison import (
    COST_SECTION,
    LIKELIHOOD_SECTION,
    sample_cost,
    test_likelihood,
)
from trainer.evaluation.dial_sweep import DIAL_SWEEPS, SweepJob, dial_sweeps
from trainer.evaluation.finished import FinishedStages, StageResult
from trainer.evaluation.pictures import LabelledGrid, reconstruction_grids
from trainer.evaluation.results import EvaluationSettings
from trainer.evaluation.translation import evaluate_translator
from trainer.learners import GRID_SIZE, Learner
from trainer.metrics.classifier import FashionClassifier
from trainer.metrics.distribution import Features, compare, describe
from trainer.metrics.reconstruction import per_image_terms, summarize, worst_per_class
from trainer.registry import ModelSpec
from trainer.runs.metrics_json import SAMPLES_SECTION, TEST_SECTION
from trainer.sampling.samples import SampleRequest, generate, request_labels

Progress = Callable[[float, str], None]  # (fraction of the stage done, what is being done)


@dataclass(frozen=True)
class RunJob:
    """What evaluating one run needs besides the run."""

    data: FashionMNIST
    classifier: FashionClassifier
    real: Features  # of the test set
    settings: EvaluationSettings
    count: int  # images per row of the sample table
    cancel: threading.Event | None
    finished: FinishedStages  # the stages done before, kept for a cancel


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


def likelihood_stage(
    learner: Learner, spec: ModelSpec, label: str, job: RunJob, progress: Progress
) -> StageResult:
    """The test likelihood: the encoder's numbers and pictures first, where there is one."""
    result = StageResult({})
    if spec.posterior:
        k = job.settings.iwae_k
        result.metrics[TEST_SECTION], result.grids = evaluate_encoder(
            learner,
            spec,
            job.data,
            job.settings,
            lambda f: progress(f, f"{label}: k = {k}"),
            job.cancel,
        )
    own = f"{label}: {spec.likelihood.estimate}"  # the flow's or the DDPM's own likelihood
    with learner.reporting(lambda f: progress(f, own)):
        result.metrics[LIKELIHOOD_SECTION] = test_likelihood(
            learner, spec, result.metrics.get(TEST_SECTION), job.data.test, job.cancel
        )
    return result


def samples_stage(
    learner: Learner, spec: ModelSpec, label: str, job: RunJob, progress: Progress
) -> StageResult:
    """The samples, their cost and their scores against the test set."""
    started = time.perf_counter()
    labels = request_labels(spec.name, SampleRequest(job.count))  # every class equally often
    samples = generate(
        learner,
        job.count,
        job.settings.seed,
        labels,
        job.cancel,
        lambda f: progress(f, f"{label}: {round(f * job.count):,} of {job.count:,} samples"),
    )
    seconds = time.perf_counter() - started
    features = describe(job.classifier, samples, job.cancel)
    scores = compare(job.real, features, job.settings.pr_k, job.cancel, job.settings.seed)
    return StageResult(
        {COST_SECTION: sample_cost(learner, spec, job.count, seconds), SAMPLES_SECTION: scores},
        {"samples": LabelledGrid(tile(samples[:GRID_SIZE]))},
        features,
    )


def translation_stage(
    learner: Learner, spec: ModelSpec, label: str, job: RunJob, progress: Progress
) -> StageResult:
    """A translator's stage in place of samples (ModelSpec.translates): the classifier reads
    its translations of the test images (trainer.evaluation.translation)."""
    metrics, grids = evaluate_translator(
        learner,
        spec,
        job.data,
        job.classifier,
        job.cancel,
        lambda f: progress(f, f"{label}: translating the test images"),
    )
    return StageResult(metrics, grids)


def dials_stage(
    learner: Learner,
    spec: ModelSpec,
    label: str,
    job: RunJob,
    samples: Features,
    progress: Progress,
) -> StageResult:
    """Each sampler dial swept with the same latents and classes at every value; `samples`:
    the samples stage's features, the point at each dial's current value."""
    sweep = SweepJob(
        job.count,
        job.settings.seed,
        request_labels(spec.name, SampleRequest(job.count)),
        job.real,
        job.classifier,
        job.settings.pr_k,
        job.cancel,
        samples,
    )
    points = dial_sweeps(learner, spec.dials, sweep, lambda f: progress(f, f"{label}: dial sweep"))
    return StageResult({DIAL_SWEEPS: points})
