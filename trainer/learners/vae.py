"""Learners of the variational autoencoders: the VAE and the conditional VAE."""

from __future__ import annotations

import threading

import numpy as np
import torch

from trainer.common import keys as k
from trainer.common.grids import interleave_rows, tile
from trainer.common.pixels import to_unit
from trainer.data.fashion_mnist import Split, balanced_indices
from trainer.learners.base import GRID_SIZE, Learner, adam
from trainer.models.bits import vae_bits_per_dim
from trainer.models.cvae import ConditionalVAE
from trainer.models.vae import ConvVAE, PosteriorDraws, gaussian_kl


class VAELearner(Learner):
    """Trains ConvVAE on the negative beta-ELBO."""

    model: ConvVAE
    network: type[ConvVAE] = ConvVAE

    def encode(self, x: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        """Posterior means of images `x` in [0, 1]: the codes the explorer shows."""
        return self.model.encode(x, self.condition(labels, len(x)))[0]

    def reconstruct(self, x: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        """Pixel means decoded from the posterior means."""
        return self.model.reconstruct(x, self.condition(labels, len(x)))

    def posterior_draws(
        self, x: torch.Tensor, labels: torch.Tensor | None, samples: int, generator: torch.Generator
    ) -> PosteriorDraws:
        """Posterior draws per image for the ELBO's terms and the IWAE bound (the evaluation)."""
        y = self.condition(labels, len(x))
        return self.model.posterior_draws(x, samples, generator, y)

    @property
    def discrete_likelihood(self) -> bool:
        """Binarised pixels, or 8-bit ones under the discretised logistic decoder."""
        return self.config.binarize or self.model.likelihood.eight_bit

    def build_model(self) -> ConvVAE:
        return self.network(self.config.latent_dim, decoder=self.config.decoder)

    def build_optimizers(self) -> dict[str, torch.optim.Optimizer]:
        return {"adam": adam(self.model.parameters(), self.config)}

    def train_step(
        self, images: torch.Tensor, labels: torch.Tensor | None = None
    ) -> dict[str, float]:
        return self.optimise(self.prepare(images), self.condition(labels, len(images)))

    def optimise(self, x: torch.Tensor, labels: torch.Tensor | None = None) -> dict[str, float]:
        """One Adam step on a prepared batch (N, 1, 28, 28) in [0, 1]."""
        loss = self.model.loss(x, self.config.beta, self.rng, labels)
        self.step_optimizer("adam", loss.total)
        recon, kl = loss.recon.item(), loss.kl.item()
        # -ELBO weighs KL by 1 whatever beta training uses; logged so curves need no model logic.
        return {k.LOSS: loss.total.item(), k.RECON: recon, k.KL: kl, k.NEG_ELBO: recon + kl}

    def evaluate(self, split: Split, cancel: threading.Event | None = None) -> dict[str, float]:
        """Test -log p(x|z) (nats/image, one posterior sample; BCE for the Bernoulli decoder),
        KL, -ELBO (beta = 1), MSE per pixel, and -ELBO in bits/dim for 8-bit likelihoods."""
        metrics = self.split_means(split, self._elbo_terms, cancel)
        metrics[k.NEG_ELBO] = metrics[self.model.likelihood.metric] + metrics[k.KL]
        bits = vae_bits_per_dim(metrics[k.NEG_ELBO], self.model.likelihood.eight_bit)
        return metrics if bits is None else {**metrics, k.BITS_PER_DIM: bits}

    def _elbo_terms(
        self, x: torch.Tensor, labels: torch.Tensor, rng: torch.Generator
    ) -> dict[str, torch.Tensor]:
        y = self.condition(labels, len(x))
        mu, logvar = self.model.encode(x, y)
        z = self.model.reparameterize(mu, logvar, rng)
        mean_image = self.model.pixel_means(self.model.decode(mu, y))
        return {
            self.model.likelihood.metric: self.model.nll(self.model.decode(z, y), x),
            k.KL: gaussian_kl(mu, logvar),
            k.MSE: (mean_image - x).pow(2).mean(dim=(1, 2, 3)),
        }

    def grids(self, split: Split) -> dict[str, np.ndarray]:
        """Prior samples from the fixed noise, and test originals above reconstructions."""
        return {"samples": self.noise_grid(), "reconstructions": self.reconstruction_grid(split)}

    def reconstruction_grid(self, split: Split) -> np.ndarray:
        """Class-balanced test images (odd rows) above their reconstructions (even rows)."""
        picks = balanced_indices(split.labels.numpy(), GRID_SIZE // 2)
        with self.evaluating():
            originals = to_unit(split.images[picks].to(self.device))
            recons = self.reconstruct(originals, split.labels[picks])
        return tile(interleave_rows(originals, recons))


class CVAELearner(VAELearner):
    """Trains the conditional VAE on the negative beta-ELBO of log p(x|y)."""

    model: ConditionalVAE
    network = ConditionalVAE

    def grids(self, split: Split) -> dict[str, np.ndarray]:
        """Samples a class a row, and test originals above reconstructions."""
        return {"samples": self.class_grid(), "reconstructions": self.reconstruction_grid(split)}
