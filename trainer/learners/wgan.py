"""The WGAN-GP learner: n_critic critic steps per generator step."""

from __future__ import annotations

import threading
from typing import Any

import numpy as np
import torch

from trainer.common import keys as k
from trainer.common.errors import CheckpointError
from trainer.config.precision import FP32, Precision
from trainer.config.settings import RunConfig
from trainer.data.fashion_mnist import Split
from trainer.learners.base import Learner
from trainer.models.gan import dcgan_init
from trainer.models.wgan import CT_DROPOUT, WGANGP, lipschitz_ratios


class WGANLearner(Learner):
    """Trains WGAN-GP: a critic step every batch, a generator step every n_critic batches;
    with ct_weight > 0, WGAN-CT (its critic has dropout and a consistency term).

    An epoch is one pass of the critic over the data, so the generator is updated
    1/n_critic as often as the DCGAN's (Gulrajani et al. 2017, alg. 1).
    """

    model: WGANGP

    def __init__(
        self, config: RunConfig, device: torch.device, precision: Precision = FP32
    ) -> None:
        super().__init__(config, device, precision)
        self.critic_steps = 0
        self.model.critic.draw_dropout_from(self.rng)

    def build_model(self) -> WGANGP:
        # WGAN-CT's critic has dropout; WGAN-GP's has none (Wei et al. 2018, sec. 3).
        model = WGANGP(self.config.latent_dim, dropout=CT_DROPOUT if self.config.ct_weight else 0)
        model.apply(dcgan_init)
        return model

    def build_optimizers(self) -> dict[str, torch.optim.Optimizer]:
        return self.adam_per_part("generator", "critic")

    @property
    def generator_updates(self) -> int:
        """Generator steps taken so far."""
        return self.critic_steps // self.config.n_critic

    def train_step(
        self, images: torch.Tensor, labels: torch.Tensor | None = None
    ) -> dict[str, float]:
        real = self.prepare(images) * 2 - 1
        with torch.no_grad():
            fake = self.model.generator(self.latent(len(real)))
        critic = self.model.critic_loss(
            real, fake, self.config.gp_weight, self.rng, self.config.ct_weight
        )
        self.step_optimizer("critic", critic.loss)
        self.critic_steps += 1
        if self.critic_steps % self.config.n_critic == 0:
            self.generator_step(len(real))
        return {
            k.WASSERSTEIN: critic.wasserstein.item(),
            k.GRADIENT_PENALTY: critic.penalty.item(),
            k.CRITIC_LOSS: critic.loss.item(),
            # -E[D(G(z))] on this step's fakes: what the next generator step lowers.
            k.G_LOSS: -critic.fake_score.item(),
            k.G_UPDATES: float(self.generator_updates),
            k.CONSISTENCY: critic.consistency.item(),
        }

    def generator_step(self, count: int) -> None:
        """One Adam step of the generator against the current critic."""
        fake = self.model.generator(self.latent(count))
        self.step_optimizer("generator", self.model.generator_loss(fake))

    def evaluate(self, split: Split, cancel: threading.Event | None = None) -> dict[str, float]:
        """The critic's Wasserstein estimate (mean D(x) on the split minus mean D(G(z))) and its
        empirical Lipschitz ratio over the same pairs of a real and a generated image.

        The ratios cost nothing beyond the estimate: the same scores of the same pairs, with
        the critic in eval mode (no dropout), so WGAN-GP and WGAN-CT are judged alike.
        """
        ratios: list[torch.Tensor] = []

        def score_gap(
            x: torch.Tensor, labels: torch.Tensor, rng: torch.Generator
        ) -> dict[str, torch.Tensor]:
            z = torch.randn(len(x), self.config.latent_dim, generator=rng, device=self.device)
            real, fake = x * 2 - 1, self.model.generator(z)
            real_scores, fake_scores = self.model.critic(real), self.model.critic(fake)
            ratios.append(lipschitz_ratios(real, fake, real_scores, fake_scores))
            return {k.WASSERSTEIN: real_scores - fake_scores}

        means = self.split_means(split, score_gap, cancel)
        every = torch.cat(ratios)
        return {
            **means,
            k.LIPSCHITZ_MAX: every.max().item(),
            k.LIPSCHITZ_P95: torch.quantile(every, 0.95).item(),
        }

    def grids(self, split: Split) -> dict[str, np.ndarray]:
        """Samples from the fixed noise."""
        return {"samples": self.noise_grid()}

    def state_dict(self) -> dict[str, Any]:
        """The base state and the critic step count (it times the generator steps)."""
        return {**super().state_dict(), "critic_steps": self.critic_steps}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore `state_dict()` output."""
        super().load_state_dict(state)
        try:
            self.critic_steps = int(state["critic_steps"])
        except (KeyError, TypeError, ValueError, OverflowError) as exc:
            raise CheckpointError(f"the checkpoint's critic step count is damaged ({exc})") from exc
