"""Quality at a fixed CPU time budget: test -ELBO after 60 s and 180 s of training.

fmgen's default convolutional VAE (in-memory batches) against an MLP VAE in the style of
pytorch/examples vae/main.py (784-400-20, a DataLoader with ToTensor), each trained for the
same wall-clock time of training steps and scored by the same one-sample test -ELBO.

    python benchmarks/quality_at_time.py [--quick]
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
from benchmarks.common import Figure, run_benchmark
from benchmarks.throughput import fmgen_stepper
from trainer.config import default_config
from trainer.data import FashionMNIST, load_fashion_mnist
from trainer.learners import make_learner, to_unit


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


def run(quick: bool = False) -> list[Figure]:
    """-ELBO of both at each budget, with their training speeds."""
    budgets = [10.0, 30.0] if quick else [60.0, 180.0]
    data = load_fashion_mnist(download=True)
    ours, our_rate = fmgen_scores(data, budgets)
    theirs, their_rate = baseline_scores(data, budgets)
    figures = [
        Figure(
            "quality",
            f"test -ELBO after {b:.0f} s: fmgen conv VAE / MLP VAE + DataLoader",
            f"{a:.1f} / {c:.1f}",
            "fmgen lower",
        )
        for b, a, c in zip(budgets, ours, theirs, strict=True)
    ]
    figures.append(
        Figure(
            "quality",
            "training images/s: fmgen conv VAE / MLP VAE + DataLoader",
            f"{our_rate:.0f} / {their_rate:.0f}",
        )
    )
    figures.append(
        Figure(
            "quality",
            "per-epoch speed vs the MLP baseline",
            f"{our_rate / their_rate:.2f}x",
            ">= 2x",
        )
    )
    return figures


if __name__ == "__main__":
    run_benchmark(run)
