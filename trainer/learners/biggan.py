"""The learner of the BigGAN-style GAN: the cGAN's step with hinge losses, the generator's
moving average and truncated sampling."""

from __future__ import annotations

import torch

from trainer.common import keys as k
from trainer.common.keys import D_FAKE_SCORE, D_REAL_SCORE
from trainer.learners.gan import CGANLearner
from trainer.models.biggan import BigGAN
from trainer.models.truncation import truncate

# The hinge discriminator's outputs are raw scores, not the DCGAN's probabilities.
_SCORES = {k.D_REAL: D_REAL_SCORE, k.D_FAKE: D_FAKE_SCORE}


class BigGANLearner(CGANLearner):
    """One hinge-loss D step and one G step per batch, then G's average moves (it is never
    trained: it samples, draws the grids and is what the evaluation judges)."""

    model: BigGAN

    def build_model(self) -> BigGAN:
        return BigGAN(self.config.latent_dim)  # its own orthogonal init, not dcgan_init

    def train_step(
        self, images: torch.Tensor, labels: torch.Tensor | None = None
    ) -> dict[str, float]:
        losses = super().train_step(images, labels)
        self.model.update_average()
        return {_SCORES.get(key, key): value for key, value in losses.items()}

    def _discriminator_outputs(
        self, x: torch.Tensor, labels: torch.Tensor, rng: torch.Generator
    ) -> dict[str, torch.Tensor]:
        """D's raw scores on the real images and on the averaged G's images of their classes."""
        y = self.condition(labels, len(x))
        z = torch.randn(len(x), self.config.latent_dim, generator=rng, device=self.device)
        return {
            D_REAL_SCORE: self.model.score(x * 2 - 1, y),
            D_FAKE_SCORE: self.model.score(self.model.generate(z, y), y),
        }

    def sample_images(self, z: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        """As Learner's, with `z` first truncated at `self.dials["truncation"]` (None: as
        drawn); `generate` and the grids come through here too."""
        return super().sample_images(truncate(z, self.dials["truncation"]), labels)
