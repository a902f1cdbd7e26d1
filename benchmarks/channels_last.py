"""Channels-last memory format for the conv models on the CPU: does it pay here?

Each conv model's default learner steps the same in-memory batches twice, once as built
(contiguous NCHW) and once with its networks converted to channels-last (NHWC), in fp32 and in
bf16, in alternating rounds so both see the same machine. fmgen keeps channels-last only where
the ratio is clearly above 1 on the machine at hand.

    python benchmarks/channels_last.py [--quick] [--seconds S] [--rounds N] [--models vae,gan]
"""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import Figure, benchmark_parser, machine, print_figures, spread
from benchmarks.throughput import fmgen_stepper, paired_rates
from trainer.config.device import configure_cpu_threads
from trainer.config.precision import FP32, Precision
from trainer.config.settings import default_config
from trainer.data.fashion_mnist import FashionMNIST, load_fashion_mnist
from trainer.learners import Learner, make_learner

CPU = torch.device("cpu")
CONV_MODELS = "vae,gan,ddpm"  # the default models whose networks are convolutional
BF16 = Precision("bf16", "asked for")


def channels_last(learner: Learner) -> Learner:
    """`learner` with its networks' weights stored NHWC (its optimizers keep the same tensors)."""
    learner.model.to(memory_format=torch.channels_last)
    return learner


def model_figures(
    data: FashionMNIST, model: str, precision: Precision, seconds: float, rounds: int
) -> Figure:
    """Images/s of `model` as built and in channels-last, in `precision`, alternating."""
    config = default_config(model, device="cpu")
    plain = fmgen_stepper(data, learner=make_learner(config, CPU, precision))
    nhwc = fmgen_stepper(data, learner=channels_last(make_learner(config, CPU, precision)))
    contiguous, last = paired_rates(plain, nhwc, seconds, rounds)
    ratios = [b / a for a, b in zip(contiguous, last, strict=True)]
    return Figure(
        "channels_last",
        f"{model} {precision.mode} images/s, contiguous / channels-last",
        f"{spread(contiguous)} / {spread(last)}; ratio {spread(ratios, 2)}",
        "keep if ratio clearly > 1",
    )


def main() -> None:
    """Parse the durations and print the figures."""
    parser = benchmark_parser()
    parser.add_argument("--seconds", type=float, help="seconds per round (5; quick 2)")
    parser.add_argument("--rounds", type=int, help="alternating rounds (3; quick 2)")
    parser.add_argument("--models", default=CONV_MODELS, help=f"models ({CONV_MODELS})")
    args = parser.parse_args()
    seconds = args.seconds or (2.0 if args.quick else 5.0)
    rounds = args.rounds or (2 if args.quick else 3)
    configure_cpu_threads()
    data = load_fashion_mnist(download=False)
    if not args.json:
        print(machine(), flush=True)
    figures = []
    for model in args.models.split(","):
        for precision in (FP32, BF16):
            figures.append(model_figures(data, model, precision, seconds, rounds))
            if not args.json:  # each as it comes: a slow model on a busy machine takes minutes
                print_figures(figures[-1:])
    if args.json:
        print(json.dumps([asdict(f) for f in figures]))


if __name__ == "__main__":
    main()
