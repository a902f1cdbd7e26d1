"""Quality at a fixed CPU time budget: test -ELBO after 60 s and 180 s of training.

fmgen's default convolutional VAE (in-memory batches) against an MLP VAE in the style of
pytorch/examples vae/main.py (784-400-20, a DataLoader with ToTensor), each trained for the
same wall-clock time of training steps and scored by the same one-sample test -ELBO. fmgen is
fed the training loop's own batches (each epoch's shuffled order, cut the loop's way). Both
train from scratch in every one of --rounds rounds, which alternate who goes first; every
round's scores are reported.

    python benchmarks/quality_at_time.py [--quick] [--rounds N]
"""

from __future__ import annotations

import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.baseline import loader_batches, mlp_stepper, torchvision_loader
from benchmarks.common import (
    Figure,
    alternate_rounds,
    round_order,
    run_rounds_benchmark,
    spread,
)
from benchmarks.throughput import fmgen_stepper
from trainer.common.pixels import to_unit
from trainer.config.settings import default_config
from trainer.data.fashion_mnist import FashionMNIST, load_fashion_mnist
from trainer.learners import make_learner


def train_for(
    step: Callable[[], int], budgets: list[float], score: Callable[[], float]
) -> tuple[list[float], float]:
    """Run `step` until each budget (seconds of steps only) is spent and score at each;
    also return the images per second that `step` (which returns its batch size) trained."""
    spent, images, results = 0.0, 0, []
    for budget in budgets:
        while spent < budget:
            started = time.perf_counter()
            images += step()
            spent += time.perf_counter() - started
        results.append(score())
    return results, images / spent


def fmgen_scores(data: FashionMNIST, budgets: list[float]) -> tuple[list[float], float]:
    """The default VAE's test -ELBO at each budget, and images trained per second."""
    learner = make_learner(default_config("vae", device="cpu"), torch.device("cpu"))
    step = fmgen_stepper(data, learner=learner)
    return train_for(step, budgets, lambda: learner.evaluate(data.test)["neg_elbo"])


def baseline_scores(data: FashionMNIST, budgets: list[float]) -> tuple[list[float], float]:
    """The MLP VAE with a DataLoader: test -ELBO at each budget, and images per second."""
    test = to_unit(data.test.images)
    with tempfile.TemporaryDirectory() as root:
        model, step = mlp_stepper(loader_batches(torchvision_loader(data, Path(root))))

        @torch.no_grad()
        def score() -> float:
            torch.manual_seed(1)
            chunks = [model(test[i : i + 1000]) for i in range(0, len(test), 1000)]
            return torch.cat(chunks).mean().item()

        return train_for(step, budgets, score)


def run(quick: bool = False, rounds: int = 2) -> list[Figure]:
    """-ELBO of both at each budget in every round, with their training speeds."""
    budgets = [5.0, 15.0] if quick else [60.0, 180.0]
    data = load_fashion_mnist(download=True)
    measures = {
        "fmgen": lambda: fmgen_scores(data, budgets),
        "MLP": lambda: baseline_scores(data, budgets),
    }
    results = alternate_rounds(measures, rounds)
    labels = [f"round {r + 1}, {round_order(list(measures), r)[0]} first" for r in range(rounds)]
    figures = []
    for index, budget in enumerate(budgets):
        pairs = [
            f"{ours[0][index]:.1f} / {theirs[0][index]:.1f} ({label})"
            for ours, theirs, label in zip(results["fmgen"], results["MLP"], labels, strict=True)
        ]
        figures.append(
            Figure(
                "quality",
                f"test -ELBO after {budget:.0f} s: fmgen conv VAE / MLP VAE + DataLoader",
                "; ".join(pairs),
                "fmgen lower",
            )
        )
    our_rates = [rate for _, rate in results["fmgen"]]
    their_rates = [rate for _, rate in results["MLP"]]
    figures.append(
        Figure(
            "quality",
            "training images/s: fmgen conv VAE / MLP VAE + DataLoader",
            f"{spread(our_rates)} / {spread(their_rates)}",
        )
    )
    ratios = [a / b for a, b in zip(our_rates, their_rates, strict=True)]
    figures.append(
        Figure("quality", "per-epoch speed vs the MLP baseline", spread(ratios, 2, "x"), ">= 2x")
    )
    return figures


if __name__ == "__main__":
    run_rounds_benchmark(run, rounds=2)
