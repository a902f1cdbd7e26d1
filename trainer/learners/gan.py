"""Learners of the DCGAN and the conditional DCGAN."""

from __future__ import annotations

import threading

import numpy as np
import torch

from trainer.common import keys as k
from trainer.data.fashion_mnist import Split
from trainer.learners.base import Learner
from trainer.models.cgan import ConditionalDCGAN
from trainer.models.gan import DCGAN, dcgan_init


class GANLearner(Learner):
    """Trains DCGAN: one discriminator step, then one generator step, per batch."""

    model: DCGAN
    network: type[DCGAN] = DCGAN

    def build_model(self) -> DCGAN:
        model = self.network(self.config.latent_dim)
        model.apply(dcgan_init)
        return model

    def build_optimizers(self) -> dict[str, torch.optim.Optimizer]:
        return self.adam_per_part("generator", "discriminator")

    def train_step(
        self, images: torch.Tensor, labels: torch.Tensor | None = None
    ) -> dict[str, float]:
        real = self.prepare(images) * 2 - 1
        y = self.condition(labels, len(real))  # a conditional GAN fakes the batch's classes
        fake = self.model.generate(self.latent(len(real)), y)
        d = self.model.discriminator_loss(real, fake.detach(), y)
        self.step_optimizer("discriminator", d.loss)
        g_loss = self.model.generator_loss(fake, y)
        self.step_optimizer("generator", g_loss)
        return {
            k.D_LOSS: d.loss.item(),
            k.G_LOSS: g_loss.item(),
            k.D_REAL: d.d_real.item(),
            k.D_FAKE: d.d_fake.item(),
        }

    def evaluate(self, split: Split, cancel: threading.Event | None = None) -> dict[str, float]:
        """Mean D(x) on the split's real images and D(G(z)) on as many generated ones."""
        return self.split_means(split, self._discriminator_outputs, cancel)

    def _discriminator_outputs(
        self, x: torch.Tensor, labels: torch.Tensor, rng: torch.Generator
    ) -> dict[str, torch.Tensor]:
        y = self.condition(labels, len(x))
        z = torch.randn(len(x), self.config.latent_dim, generator=rng, device=self.device)
        return {
            k.D_REAL: torch.sigmoid(self.model.score(x * 2 - 1, y)),
            k.D_FAKE: torch.sigmoid(self.model.score(self.model.generate(z, y), y)),
        }

    def grids(self, split: Split) -> dict[str, np.ndarray]:
        """Samples from the fixed noise."""
        return {"samples": self.noise_grid()}


class CGANLearner(GANLearner):
    """Trains the conditional DCGAN: fakes of the batch's classes against the real batch."""

    model: ConditionalDCGAN
    network = ConditionalDCGAN

    def grids(self, split: Split) -> dict[str, np.ndarray]:
        """Samples a class a row, a fixed noise vector a column."""
        return {"samples": self.class_grid()}
