"""fmgen-evaluate: the metrics of trained runs, written to metrics.json (no window needed)."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from trainer.classifier import load_or_train_classifier
from trainer.data import load_fashion_mnist
from trainer.errors import FmgenError
from trainer.evaluate import Evaluation, EvaluationSettings, evaluate, write_metrics
from trainer.interpret import interpret


def add_evaluation_arguments(parser: argparse.ArgumentParser) -> None:
    """The options fmgen-evaluate and fmgen-report share."""
    defaults = EvaluationSettings()
    parser.add_argument("--vae", type=Path, metavar="RUN_DIR", help="a VAE run folder")
    parser.add_argument("--gan", type=Path, metavar="RUN_DIR", help="a GAN run folder")
    parser.add_argument("--out", type=Path, help="folder for the combined metrics.json")
    parser.add_argument("--data-dir", type=Path, help="folder with the Fashion-MNIST files")
    parser.add_argument(
        "--samples",
        type=int,
        default=defaults.samples,
        help=f"samples per model and calibration row ({defaults.samples})",
    )
    parser.add_argument(
        "--iwae-k",
        type=int,
        default=defaults.iwae_k,
        help=f"importance samples per test image ({defaults.iwae_k})",
    )
    parser.add_argument("--seed", type=int, default=defaults.seed)


class ConsoleProgress:
    """Prints a progress line at most every few seconds."""

    def __init__(self, every_s: float = 5.0) -> None:
        self.every_s, self.last, self.started = every_s, 0.0, time.monotonic()

    def __call__(self, fraction: float, text: str) -> None:
        now = time.monotonic()
        if now - self.last >= self.every_s or fraction >= 1:
            self.last = now
            print(f"[{now - self.started:5.0f} s] {fraction:4.0%} {text}", flush=True)


def run_evaluation(args: argparse.Namespace) -> Evaluation:
    """Load data and classifier, evaluate the runs the arguments name."""
    runs = {kind: path for kind, path in (("vae", args.vae), ("gan", args.gan)) if path}
    if not runs:
        raise FmgenError("name at least one run: --vae RUN_DIR and/or --gan RUN_DIR")
    if args.samples < 10 or args.iwae_k < 1:
        raise FmgenError("--samples must be at least 10 and --iwae-k at least 1")
    progress = ConsoleProgress()
    data = load_fashion_mnist(args.data_dir, download=True)
    classifier, info = load_or_train_classifier(data, progress=progress)
    print(f"classifier: {info.accuracy:.2%} test accuracy", flush=True)
    settings = EvaluationSettings(samples=args.samples, iwae_k=args.iwae_k, seed=args.seed)
    return evaluate(runs, data, classifier, info, settings, progress)


def main(argv: Sequence[str] | None = None) -> int:
    """Run fmgen-evaluate; returns the exit code."""
    parser = argparse.ArgumentParser(prog="fmgen-evaluate", description=__doc__)
    add_evaluation_arguments(parser)
    args = parser.parse_args(argv)
    try:
        evaluation = run_evaluation(args)
    except FmgenError as exc:
        print(f"fmgen-evaluate: error: {exc}", file=sys.stderr)
        return 1
    for path in write_metrics(evaluation, args.out):
        print(f"wrote {path}")
    print("\n".join(interpret(evaluation.metrics)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
