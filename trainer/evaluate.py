"""Evaluate trained runs: every number of the report, also written to metrics.json."""

from __future__ import annotations

import json
import platform
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import torch

import trainer
from trainer.checkpoint import Checkpoint, load_checkpoint
from trainer.classifier import ClassifierInfo, FashionClassifier
from trainer.config import RunConfig
from trainer.data import CLASSES, FashionMNIST, Split, balanced_indices
from trainer.explore import Interpolator, LatentAtlas, Strip, random_pair
from trainer.files import atomic_write_text
from trainer.grids import interleave_rows, tile
from trainer.learners import Learner, make_learner, to_unit
from trainer.metrics.distribution import Features, compare, describe
from trainer.metrics.reconstruction import (
    bits_per_dim,
    likelihood_bounds,
    reconstruction_errors,
    summarize,
    worst_per_class,
)
from trainer.sampling import generate

Progress = Callable[[float, str], None]
WITHIN, BETWEEN = (6, 6), (7, 8)  # shirt to shirt; sneaker to bag (the seed's two cases)


@dataclass(frozen=True)
class EvaluationSettings:
    """How much work the evaluation does (defaults: a few minutes on two CPU cores)."""

    samples: int = 10000  # generated images per model, and real images per calibration row
    iwae_k: int = 100  # importance samples per test image for the IWAE bound
    pr_k: int = 3  # neighbours for the precision/recall manifolds
    seed: int = 0
    strip_steps: int = 9


@dataclass
class ModelEvaluation:
    """One model's numbers and pictures."""

    kind: str
    run_dir: Path
    config: RunConfig
    epoch: int  # epochs trained
    step: int
    parameters: int
    metrics: dict = field(default_factory=dict)
    grids: dict[str, np.ndarray] = field(default_factory=dict)  # uint8 grid images
    strips: dict[str, tuple[Strip, str]] = field(default_factory=dict)  # (strip, title)


@dataclass
class Evaluation:
    """Everything the report shows; `metrics` is what metrics.json holds."""

    metrics: dict
    models: dict[str, ModelEvaluation]


def load_learner(run_dir: Path | str, kind: str | None) -> tuple[Learner, Checkpoint]:
    """A CPU learner restored from the run's checkpoint (of model `kind`; None: any)."""
    checkpoint = load_checkpoint(run_dir, expect_model=kind)
    learner = make_learner(checkpoint.config.replace(device="cpu"), torch.device("cpu"))
    learner.load_state_dict(checkpoint.state)
    learner.model.eval()
    return learner, checkpoint


def evaluate_vae(
    learner: Learner,
    data: FashionMNIST,
    settings: EvaluationSettings,
    report: Progress,
    cancel: threading.Event | None,
) -> dict:
    """Reconstruction errors (overall, per class), KL, -ELBO, IWAE bound, bits/dim."""
    x = to_unit(data.test.images)
    if learner.config.binarize:  # one fixed binarisation of the test set, as in NLL tables
        x = torch.bernoulli(x, generator=torch.Generator().manual_seed(settings.seed))
    errors = reconstruction_errors(learner.model, x)
    result = summarize(errors, data.test.labels.numpy(), data.classes)
    report(0.15, f"IWAE bound with k = {settings.iwae_k} on {len(x):,} test images")
    bounds = likelihood_bounds(
        learner.model,
        x,
        settings.iwae_k,
        settings.seed,
        cancel=cancel,
        progress=lambda f: report(0.15 + 0.5 * f, f"IWAE bound (k = {settings.iwae_k})"),
    )
    result["overall"].update(bounds, iwae_k=settings.iwae_k)
    result["overall"]["bits_per_dim"] = (
        bits_per_dim(bounds["iwae_nll"]) if learner.config.binarize else None
    )
    result["worst"] = {
        data.classes[label]: indices.tolist()
        for label, indices in worst_per_class(errors, data.test.labels.numpy()).items()
    }
    return result


def vae_pictures(
    learner: Learner,
    split: Split,
    settings: EvaluationSettings,
    classifier: FashionClassifier | None,
    worst: dict[str, list[int]],
) -> tuple[dict, dict]:
    """Reconstruction grids (typical and worst per class), and the interpolation strips."""
    picks = balanced_indices(split.labels.numpy(), 32)
    originals = to_unit(split.images[picks])
    worst_originals = to_unit(split.images[[i for row in worst.values() for i in row]])
    with torch.no_grad():
        recons = learner.model.reconstruct(originals)
        worst_recons = learner.model.reconstruct(worst_originals)
    pairs = torch.stack([worst_originals, worst_recons], dim=1).flatten(0, 1)  # o, r, o, r...
    grids = {
        "reconstructions": tile(interleave_rows(originals, recons)),
        "worst": tile(pairs, nrow=2 * len(next(iter(worst.values())))),
    }
    atlas = LatentAtlas.build(lambda x: learner.model.encode(x)[0], split)
    interpolator = Interpolator(learner.model.sample, classifier, atlas.images)
    rng = np.random.default_rng(settings.seed)
    strips = {}
    for name, (first, second) in (("within", WITHIN), ("between", BETWEEN)):
        a, b = random_pair(atlas.labels, first, second, rng)
        strip = interpolator.strip(atlas.codes[a], atlas.codes[b], settings.strip_steps, "slerp")
        title = f"{CLASSES[atlas.labels[a]]} #{a} to {CLASSES[atlas.labels[b]]} #{b} (slerp)"
        strips[name] = (strip, title)
    return grids, strips


def evaluate(
    runs: dict[str, Path | str],
    data: FashionMNIST,
    classifier: FashionClassifier,
    classifier_info: ClassifierInfo,
    settings: EvaluationSettings | None = None,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
) -> Evaluation:
    """Evaluate the runs ({'vae': dir, 'gan': dir}, either optional) against the test set."""
    settings = settings or EvaluationSettings()
    report = progress or (lambda fraction, text: None)
    started = time.perf_counter()
    report(0.0, "classifier features of the test set")
    real = describe(classifier, to_unit(data.test.images))
    models: dict[str, ModelEvaluation] = {}
    for kind, run_dir in runs.items():
        learner, checkpoint = load_learner(run_dir, kind)
        evaluation = ModelEvaluation(
            kind,
            Path(checkpoint.path).parent,
            checkpoint.config,
            checkpoint.epoch,
            checkpoint.step,
            sum(p.numel() for p in learner.model.parameters()),
        )
        if kind == "vae":
            evaluation.metrics["test"] = evaluate_vae(learner, data, settings, report, cancel)
            evaluation.grids, evaluation.strips = vae_pictures(
                learner, data.test, settings, classifier, evaluation.metrics["test"]["worst"]
            )
        report(0.7, f"{kind.upper()}: {settings.samples:,} samples against the test set")
        samples = generate(learner, settings.samples, settings.seed)
        evaluation.grids["samples"] = tile(samples[:64])
        fake = describe(classifier, samples)
        evaluation.metrics["samples"] = compare(real, fake, settings.pr_k).to_dict()
        models[kind] = evaluation
    report(0.85, "calibration: real training images and noise against the test set")
    calibration = calibrate(classifier, data, real, settings)
    metrics = metrics_document(
        models, calibration, data, classifier_info, settings, time.perf_counter() - started
    )
    report(1.0, "done")
    return Evaluation(metrics, models)


def calibrate(
    classifier: FashionClassifier, data: FashionMNIST, real: Features, settings: EvaluationSettings
) -> dict:
    """The floor (real training images) and the ceiling (uniform noise) of every metric."""
    rng = torch.Generator().manual_seed(settings.seed)
    count = min(settings.samples, len(data.train))
    train = data.train.images[torch.randperm(len(data.train), generator=rng)[:count]]
    noise = torch.rand(count, 1, 28, 28, generator=rng)
    rows = {"real_train_vs_test": to_unit(train), "noise_vs_test": noise}
    return {
        name: compare(real, describe(classifier, images), settings.pr_k).to_dict()
        for name, images in rows.items()
    }


def metrics_document(
    models: dict[str, ModelEvaluation],
    calibration: dict,
    data: FashionMNIST,
    classifier: ClassifierInfo,
    settings: EvaluationSettings,
    seconds: float,
) -> dict:
    """The contents of metrics.json: numbers with everything needed to interpret them."""
    import torchmetrics
    import torchvision

    document = {
        "fmgen_version": trainer.__version__,
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "device": "cpu",
        "versions": {
            "python": platform.python_version(),
            "torch": torch.__version__,
            "torchvision": torchvision.__version__,
            "numpy": np.__version__,
            "torchmetrics": torchmetrics.__version__,
        },
        "data": {"source": data.source, "train_size": len(data.train), "test_size": len(data.test)},
        "classifier": asdict(classifier),
        "settings": asdict(settings),
        "calibration": calibration,
        "seconds": round(seconds, 1),
    }
    for kind, evaluation in models.items():
        document[kind] = {
            "run_dir": str(evaluation.run_dir),
            "config": evaluation.config.to_dict(),
            "seed": evaluation.config.seed,
            "epochs_trained": evaluation.epoch,
            "steps": evaluation.step,
            "parameters": evaluation.parameters,
            **evaluation.metrics,
        }
    return document


def write_metrics(evaluation: Evaluation, out_dir: Path | None = None) -> list[Path]:
    """metrics.json into each evaluated run folder (its model only) and into `out_dir` (all)."""
    shared = {k: v for k, v in evaluation.metrics.items() if k not in ("vae", "gan")}
    written = []
    for kind, model in evaluation.models.items():
        path = model.run_dir / "metrics.json"
        atomic_write_text(path, json.dumps({**shared, kind: evaluation.metrics[kind]}, indent=2))
        written.append(path)
    if out_dir is not None:
        path = Path(out_dir) / "metrics.json"
        atomic_write_text(path, json.dumps(evaluation.metrics, indent=2))
        written.append(path)
    return written
