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
import torch.nn.functional as F
from torch import nn

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import Figure, run_benchmark
from benchmarks.throughput import fmgen_stepper, torchvision_loader
from trainer.config import default_config
from trainer.data import FashionMNIST, load_fashion_mnist
from trainer.learners import make_learner, to_unit
from trainer.models.vae import gaussian_kl, reconstruction_nats


class MLPVAE(nn.Module):
    """A two-layer MLP VAE, as the classic PyTorch example builds it."""

    def __init__(self, hidden: int = 400, latent: int = 20) -> None:
        super().__init__()
        self.encoder = nn.Linear(784, hidden)
        self.mean, self.logvar = nn.Linear(hidden, latent), nn.Linear(hidden, latent)
        self.decoder = nn.Sequential(nn.Linear(latent, hidden), nn.ReLU(), nn.Linear(hidden, 784))

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(-ELBO per image, tensor) with one reparameterised sample."""
        h = F.relu(self.encoder(x.reshape(len(x), 784)))
        mu, logvar = self.mean(h), self.logvar(h)
        z = mu + torch.randn_like(mu) * torch.exp(0.5 * logvar)
        logits = self.decoder(z).reshape(x.shape)
        return reconstruction_nats(logits, x) + gaussian_kl(mu, logvar)


def train_for(step: Callable[[], int], budgets: list[float], score: Callable[[], float]):
    """Call `step` until each budget (seconds of steps only) is spent; score at each."""
    spent, results = 0.0, []
    for budget in budgets:
        while spent < budget:
            started = time.perf_counter()
            step()
            spent += time.perf_counter() - started
        results.append(score())
    return results


def fmgen_scores(data: FashionMNIST, budgets: list[float]) -> tuple[list[float], float]:
    """The default VAE's test -ELBO at each budget, and images trained per second."""
    learner = make_learner(default_config("vae", device="cpu"), torch.device("cpu"))
    images = [0]
    stepper = fmgen_stepper(data, learner=learner)

    def step() -> int:
        images[0] += stepper()
        return images[0]

    scores = train_for(step, budgets, lambda: learner.evaluate(data.test)["neg_elbo"])
    return scores, images[0] / budgets[-1]


def baseline_scores(data: FashionMNIST, budgets: list[float]) -> tuple[list[float], float]:
    """The MLP VAE with a DataLoader: test -ELBO at each budget, and images per second."""
    torch.manual_seed(0)
    model = MLPVAE()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    with tempfile.TemporaryDirectory() as root:
        loader = torchvision_loader(data, Path(root), batch_size=128)
        batches, images = iter(loader), [0]

        def step() -> int:
            nonlocal batches
            try:
                x, _ = next(batches)
            except StopIteration:
                batches = iter(loader)
                x, _ = next(batches)
            optimizer.zero_grad()
            model(x).mean().backward()
            optimizer.step()
            images[0] += len(x)
            return images[0]

        test = to_unit(data.test.images)

        @torch.no_grad()
        def score() -> float:
            torch.manual_seed(1)
            return (
                torch.cat([model(test[i : i + 1000]) for i in range(0, len(test), 1000)])
                .mean()
                .item()
            )

        return train_for(step, budgets, score), images[0] / budgets[-1]


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
