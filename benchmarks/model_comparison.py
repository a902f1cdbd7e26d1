"""Every registered model trained for the same budget on one device, then scored alike.

    python benchmarks/model_comparison.py --device cuda --epochs 10 [--models gan,wgan,...]
    python benchmarks/model_comparison.py --device cuda --seconds 45   # the same training time
    python benchmarks/model_comparison.py --cpu-seconds 1800 --models guided --train-only

Each model trains through the real loop (trainer.training.loop.train, default settings, seed 0) for
--epochs passes over the data, for --seconds of wall-clock training or for --cpu-seconds of the
training process's CPU time per torch thread (benchmarks/budget.py: a budget that means the same
on a shared machine); both clocks are printed. Then (unless --train-only) all runs are
evaluated together by trainer.evaluation.evaluate (the report's numbers: FID/KID/precision/recall/
coverage from --samples samples each (fewer where a multi-step sampler runs on the CPU: the
count used is printed), the same count for every row and the calibration rows).
Also printed: conditional models' per-class agreement (the share of samples asked for class c
that the classifier labels c) beside the classifier's own accuracy on real test images of c
(and, for a conditional encoder, the share of its test reconstructions labelled right),
the share of the rarest class among each model's samples (with the mean classifier
confidence: issue 12's "garments" test, >= 0.7 and every class >= 3%), and, per WGAN-GP
epoch, the critic's Wasserstein estimate on the test set beside an FID from
--small-samples samples (labelled: it is not comparable with the --samples FID).
"""

from __future__ import annotations

import argparse
import math
import sys
import threading
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.budget import CPU, WALL, Budget
from benchmarks.common import machine
from trainer.common import keys
from trainer.common.events import CheckpointSaved, EpochEnded, RunFailed
from trainer.common.pixels import to_unit
from trainer.config.device import resolve_device
from trainer.config.settings import default_config
from trainer.data.fashion_mnist import CLASSES, FashionMNIST, load_fashion_mnist
from trainer.evaluation.comparison import COST_SECTION, LIKELIHOOD_SECTION
from trainer.evaluation.evaluate import evaluate
from trainer.evaluation.results import EvaluationSettings
from trainer.metrics.classifier import FashionClassifier, load_or_train_classifier, probabilities
from trainer.metrics.distribution import Features, describe, frechet_distance
from trainer.registry import get_model, model_names
from trainer.runs.loading import load_learner
from trainer.runs.metrics_json import CALIBRATION, RUNS, SAMPLES_SECTION
from trainer.runs.pins import run_key
from trainer.runs.snapshots import snapshot_path
from trainer.sampling.samples import generate
from trainer.training.loop import train

SCORES = (keys.FID, keys.KID, keys.PRECISION, keys.RECALL, keys.COVERAGE, keys.CONFIDENCE)


def small_fid(snapshot: Path, classifier: FashionClassifier, real: Features, count: int) -> float:
    """FID of `count` samples of an epoch snapshot against the whole test set."""
    learner, _ = load_learner(snapshot, device="auto")
    return frechet_distance(
        real.features, describe(classifier, generate(learner, count, 0)).features
    )


def train_one(
    model: str, data: FashionMNIST, out: Path, args: argparse.Namespace, on_epoch
) -> tuple[Path, list[float], Budget]:
    """Train `model` for the budget; its run folder, the seconds each epoch took and the
    budget's clocks (both read, whichever one ended the run)."""
    epochs = args.epochs or 10_000  # a time budget: the stop ends it
    config = default_config(model, epochs=epochs, device=args.device, seed=0, limit=args.limit)
    run_dir, stop = out / model, threading.Event()
    clock = CPU if args.cpu_seconds else WALL
    budget = Budget(args.cpu_seconds or args.seconds or math.inf, clock, stop).start()
    seconds, ended = [], None
    try:
        for event in train(config, data, run_dir, stop_event=stop):
            if isinstance(event, EpochEnded):
                seconds.append(event.seconds)
                ended = event
            elif isinstance(event, CheckpointSaved) and ended:  # its snapshot is published
                on_epoch(model, snapshot_path(run_dir, ended.epoch), ended)
                ended = None
            elif isinstance(event, RunFailed):
                raise RuntimeError(f"{model}: {event.message}")
    finally:
        budget.finish()
    return run_dir, seconds, budget


def per_class_agreement(run_dir: Path, classifier: FashionClassifier, count: int) -> np.ndarray:
    """Share of `count` samples asked for class c that the classifier labels c, per class."""
    learner, _ = load_learner(run_dir, device="auto")
    shares = []
    for label in range(len(CLASSES)):
        samples = generate(learner, count, label, np.full(count, label, np.int64))
        shares.append(float((probabilities(classifier, samples).argmax(1) == label).mean()))
    return np.array(shares)


def reconstruction_agreement(run_dir: Path, classifier: FashionClassifier, data: FashionMNIST):
    """Share of test images of class c whose reconstruction (the posterior mean decoded, with
    the label for a conditional model) the classifier labels c; None without an encoder.

    Beside the samples' agreement it tells a decoder that cannot draw a class (both low) from
    samples that miss it (only theirs low)."""
    learner, _ = load_learner(run_dir, device="auto")
    if not learner.spec.has_encoder or learner.spec.encode_cost > 1:
        return None
    images, labels = data.test.images, data.test.labels
    with learner.evaluating():
        batches = [
            learner.reconstruct(
                to_unit(images[i : i + 1000]).to(learner.device), labels[i : i + 1000]
            ).cpu()
            for i in range(0, len(images), 1000)
        ]
    predicted = probabilities(classifier, torch.cat(batches)).argmax(1)
    return np.array([(predicted[labels.numpy() == c] == c).mean() for c in range(len(CLASSES))])


def classifier_accuracy_per_class(classifier: FashionClassifier, data: FashionMNIST) -> np.ndarray:
    """The classifier's accuracy on real test images of each class."""
    predicted = probabilities(classifier, to_unit(data.test.images)).argmax(1)
    labels = data.test.labels.numpy()
    return np.array([(predicted[labels == c] == c).mean() for c in range(len(CLASSES))])


def rarest(histogram: list[float]) -> str:
    """The rarest class's share of the samples, named: '0.0255 (Sandal)', or '0 (4 classes)'."""
    share = min(histogram)
    tied = [CLASSES[c] for c, value in enumerate(histogram) if value == share]
    return f"{number(share)} ({tied[0] if len(tied) == 1 else f'{len(tied)} classes'})"


def number(value, digits: int = 3) -> str:
    """A table cell: the value rounded, or '-'."""
    return "-" if value is None else f"{value:.{digits}g}" if abs(value) < 1 else f"{value:.1f}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="auto")
    parser.add_argument("--epochs", type=int, default=0, help="passes over the data per model")
    parser.add_argument("--seconds", type=float, default=0, help="training seconds per model")
    parser.add_argument(
        "--cpu-seconds",
        type=float,
        default=0,
        help="training CPU seconds per model and torch thread (what a quiet machine gives)",
    )
    parser.add_argument(
        "--train-only", action="store_true", help="keep the run folders, evaluate nothing"
    )
    parser.add_argument("--models", default=",".join(model_names()))
    parser.add_argument("--samples", type=int, default=10000)
    parser.add_argument("--small-samples", type=int, default=2000)
    parser.add_argument("--limit", type=int, default=None, help="images per split (smoke runs)")
    parser.add_argument("--out", type=Path, default=Path("model-comparison"))
    args = parser.parse_args()
    if sum(map(bool, (args.epochs, args.seconds, args.cpu_seconds))) != 1:
        parser.error("give one budget: --epochs, --seconds or --cpu-seconds")
    device = resolve_device(args.device)
    data = load_fashion_mnist(limit=args.limit)
    classifier, info = load_or_train_classifier(data, device=device)  # returned on the CPU
    real = describe(classifier, to_unit(data.test.images))
    budget = (
        f"{args.epochs} epochs"
        if args.epochs
        else f"{args.seconds:g} s of training"
        if args.seconds
        else f"{args.cpu_seconds:g} CPU s of training per torch thread"
    )
    print(f"# Models at equal budget ({budget} each)\n\n- {machine()}\n- device: {device}")
    print(f"- command: `python {' '.join(sys.argv)}`\n")

    def on_epoch(model: str, snapshot: Path, event: EpochEnded) -> None:
        if model == "wgan":
            fid = small_fid(snapshot, classifier, real, args.small_samples)
            estimate = event.test.get(keys.WASSERSTEIN)
            print(
                f"wgan epoch {event.epoch}: critic estimate {estimate:.3f}, "
                f"FID ({args.small_samples:,} samples, not the table's) {fid:.1f}",
                flush=True,
            )

    started, runs, epoch_seconds = time.perf_counter(), [], {}
    for model in args.models.split(","):
        run_dir, seconds, clocks = train_one(model, data, args.out, args, on_epoch)
        runs.append(run_dir)
        epoch_seconds[model] = seconds
        print(
            f"trained {model}: {len(seconds)} epochs, {sum(seconds):.0f} s in epochs; "
            f"{clocks.describe()}",
            flush=True,
        )
    if args.train_only:
        return 0
    evaluation = evaluate(
        runs, data, classifier, info, EvaluationSettings(samples=args.samples, device=args.device)
    )
    print(f"\nevaluated in {time.perf_counter() - started:.0f} s since the first training")
    print(f"every row from {evaluation.metrics['sample_count']:,} samples\n")
    header = ["model", "parameters", "epochs", "s/epoch", *SCORES, "rarest class"]
    header += ["bits/dim", "ms/sample"]
    print("| " + " | ".join(header) + " |\n|" + " --- |" * len(header))
    for run_dir in runs:
        run = evaluation.runs[run_key(run_dir)]
        section = evaluation.metrics[RUNS][run.facts.key]
        scores = [number(section[SAMPLES_SECTION][name]) for name in SCORES]
        scores.append(rarest(section[SAMPLES_SECTION][keys.CLASS_HISTOGRAM]))
        seconds = epoch_seconds[run.facts.model]
        cells = [
            run.facts.label,
            f"{run.facts.parameters:,}",
            f"{run.facts.epochs_trained:.2f}",
            number(float(np.median(seconds)) if seconds else None),
            *scores,
            number(section[LIKELIHOOD_SECTION].get(keys.BITS_PER_DIM)),
            f"{section[COST_SECTION]['ms_per_sample']:.3f} ({section[COST_SECTION]['device']})",
        ]
        print("| " + " | ".join(cells) + " |")
    for name, row in evaluation.metrics[CALIBRATION].items():
        scores = " | ".join(number(row[s]) for s in SCORES)
        print(f"| {name} | | | | {scores} | {rarest(row[keys.CLASS_HISTOGRAM])} | | |")
    accuracy = classifier_accuracy_per_class(classifier, data)
    for run_dir in runs:
        if get_model(run_dir.name).conditional:
            shares = per_class_agreement(run_dir, classifier, args.small_samples // 10)
            rebuilt = reconstruction_agreement(run_dir, classifier, data)
            also = "" if rebuilt is None else ", its test reconstructions labelled right"
            print(f"\n{run_dir.name}: class, samples labelled as asked, classifier accuracy{also}")
            for c, name in enumerate(CLASSES):
                gap = 100 * (accuracy[c] - shares[c])
                line = f"  {name:12s} {shares[c]:.3f}  {accuracy[c]:.3f}  ({gap:+.1f} points)"
                print(line if rebuilt is None else f"{line}  {rebuilt[c]:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
