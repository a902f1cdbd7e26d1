"""A toy model registered only inside tests: proof that one learner + one entry is enough."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import torch
from torch import nn

from trainer.common.grids import tile
from trainer.data.fashion_mnist import CLASSES, Split
from trainer.learners import Learner, adam
from trainer.models.conditioning import one_hot as class_weights
from trainer.registry import (
    CurveSpec,
    GridSpec,
    ModelSpec,
    PlotSpec,
    SamplingDial,
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
    options=("latent_dim",),
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


class CondToyNet(nn.Module):
    """Linear decoder of (z, class weights) and linear encoder of (image, class weights)."""

    def __init__(self, latent_dim: int) -> None:
        super().__init__()
        classes = len(CLASSES)
        self.decoder = nn.Sequential(
            nn.Linear(latent_dim + classes, 784), nn.Sigmoid(), nn.Unflatten(1, (1, 28, 28))
        )
        self.encoder = nn.Linear(784 + classes, latent_dim)

    def decode(self, z: torch.Tensor, weights: torch.Tensor) -> torch.Tensor:
        """Pixel means (N, 1, 28, 28) of codes `z` conditioned on class `weights` (N, 10)."""
        return self.decoder(torch.cat([z, weights], dim=1))

    def encode(self, x: torch.Tensor, weights: torch.Tensor) -> torch.Tensor:
        """Codes (N, D) of images (N, 1, 28, 28) given their class `weights`."""
        return self.encoder(torch.cat([x.flatten(1), weights], dim=1))


class CondToyLearner(ToyLearner):
    """A conditional toy autoencoder: it honours the learner contract's labels arguments."""

    def build_model(self) -> CondToyNet:
        return CondToyNet(self.config.latent_dim)

    def _weights(self, labels: torch.Tensor | None) -> torch.Tensor:
        if labels is None:
            raise ValueError("a conditional model needs labels")
        return class_weights(labels).to(self.device)

    def _mse(self, x: torch.Tensor, generator: torch.Generator, labels=None) -> torch.Tensor:
        weights = self._weights(labels)
        return (self.model.decode(self.model.encode(x, weights), weights) - x).pow(2).mean()

    def train_step(self, images: torch.Tensor, labels=None) -> dict[str, float]:
        optimizer = self.optimizers["adam"]
        optimizer.zero_grad(set_to_none=True)
        loss = self._mse(self.prepare(images), self.rng, labels)
        loss.backward()
        optimizer.step()
        return {TOY_LOSS: loss.item()}

    def evaluate(self, split: Split, cancel=None) -> dict[str, float]:
        with self.evaluating():
            x, labels = self.prepare(split.images), split.labels
            return {TOY_LOSS: self._mse(x, self.rng, labels).item()}

    @torch.no_grad()
    def sample_images(self, z: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        return self.model.decode(z.to(self.device), self._weights(labels))

    @torch.no_grad()
    def encode(self, x: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        return self.model.encode(x.to(self.device), self._weights(labels))

    def reconstruct(self, x: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        return self.sample_images(self.encode(x, labels), labels)

    def grids(self, split: Split) -> dict[str, np.ndarray]:
        labels = torch.arange(len(self.noise)) % len(CLASSES)
        with self.evaluating():
            return {"samples": tile(self.sample_images(self.noise, labels))}


# A cGAN-like toy (samples a chosen class) and a cVAE-like one (also encodes with labels).
COND_TOY = dataclasses.replace(
    TOY,
    name="ctoy",
    label="CToy",
    title="Conditional toy (test-only)",
    learner=CondToyLearner,
    description="A conditional linear decoder used by the tests.",
    options=("latent_dim", "adam_betas"),
    conditional=True,
)
COND_ENCODER_TOY = dataclasses.replace(
    COND_TOY, name="cvtoy", label="CVToy", title="Conditional toy autoencoder", has_encoder=True
)


@pytest.fixture
def cond_toy_models():
    """The two conditional toys, registered for one test."""
    for spec in (COND_TOY, COND_ENCODER_TOY):
        register_model(spec)
    yield COND_TOY, COND_ENCODER_TOY
    for spec in (COND_TOY, COND_ENCODER_TOY):
        unregister_model(spec.name)


# A sampler dial that visibly changes the samples: it scales their brightness; 'off' (None)
# leaves them as decoded, which is the same as 1.
BRIGHTNESS = SamplingDial(
    name="brightness",
    label="Brightness b",
    low=0.0,
    high=2.0,
    default=1.0,
    sweep=(0.25, 0.5, 1.0, None),
    help="Scales every pixel (test-only)",
    off="plain",
)


class DialToyLearner(CondToyLearner):
    """The conditional toy whose samples are scaled by its dial (`self.dials`)."""

    @torch.no_grad()
    def sample_images(self, z: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        brightness = self.dials[BRIGHTNESS.name]
        images = super().sample_images(z, labels)
        return images if brightness is None else (images * brightness).clamp(0, 1)


DIAL_TOY = dataclasses.replace(
    COND_TOY,
    name="dtoy",
    label="DToy",
    title="Conditional toy with a dial (test-only)",
    learner=DialToyLearner,
    dials=(BRIGHTNESS,),
)


@pytest.fixture
def dial_toy_model():
    """The toy with a sampler dial, registered for one test."""
    register_model(DIAL_TOY)
    yield DIAL_TOY
    unregister_model(DIAL_TOY.name)
