"""A toy model registered only inside tests: proof that one learner + one entry is enough."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

from trainer.data import Split
from trainer.grids import tile
from trainer.learners import Learner, adam
from trainer.registry import (
    CurveSpec,
    GridSpec,
    ModelSpec,
    PlotSpec,
    register_model,
    unregister_model,
)

TOY_LOSS = "toy_mse"


class ToyDecoder(nn.Module):
    """z -> 784 pixel means: a linear decoder, trained to match random data images."""

    def __init__(self, latent_dim: int) -> None:
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(latent_dim, 784), nn.Sigmoid(), nn.Unflatten(1, (1, 28, 28))
        )

    @torch.no_grad()
    def sample(self, z: torch.Tensor) -> torch.Tensor:
        """Pixel means (N, 1, 28, 28) in [0, 1]."""
        return self.net(z)


class ToyLearner(Learner):
    """Pulls decoded noise towards the batch's images (mean squared error)."""

    def build_model(self) -> ToyDecoder:
        return ToyDecoder(self.config.latent_dim)

    def build_optimizers(self) -> dict[str, torch.optim.Optimizer]:
        return {"adam": adam(self.model.parameters(), self.config)}

    def _mse(self, x: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
        z = torch.randn(len(x), self.config.latent_dim, generator=generator, device=self.device)
        return (self.model.net(z) - x).pow(2).mean()

    def train_step(self, images: torch.Tensor, labels=None) -> dict[str, float]:
        loss = self._mse(self.prepare(images), self.rng)
        self.step_optimizer("adam", loss)
        return {TOY_LOSS: loss.item()}

    def evaluate(self, split: Split, cancel=None) -> dict[str, float]:
        rng = self.eval_generator()
        with self.evaluating():
            total = sum(
                self._mse(self.prepare(images, rng), rng).item() * len(images)
                for images, _ in self.eval_batches(split, cancel)
            )
        return {TOY_LOSS: total / len(split)}

    def grids(self, split: Split) -> dict[str, np.ndarray]:
        with self.evaluating():
            return {"samples": tile(self.model.sample(self.noise))}


TOY = ModelSpec(
    name="toy",
    label="Toy",
    title="Toy (a test-only decoder)",
    learner=ToyLearner,
    objective="pixel MSE",
    description="A linear decoder used by the tests.",
    defaults={"latent_dim": 4, "lr": 1e-2, "batch_size": 25},
    step_metrics=(TOY_LOSS,),
    test_metrics=(TOY_LOSS,),
    summary_metrics=(TOY_LOSS,),
    plots=(PlotSpec("Toy loss", "step", "MSE", (CurveSpec(f"step/{TOY_LOSS}", "train"),)),),
    grids=(GridSpec("samples", "Toy samples"),),
)


@pytest.fixture
def toy_model():
    """The toy model, registered for one test."""
    register_model(TOY)
    yield TOY
    unregister_model(TOY.name)
