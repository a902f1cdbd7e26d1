"""WGAN-GP: the DCGAN generator against a critic kept 1-Lipschitz by a gradient penalty."""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import torch
from torch import nn

from trainer.common.pixels import signed_to_unit
from trainer.models.gan import Discriminator, Generator


class CriticLoss(NamedTuple):
    """The critic's loss and its parts (batch means)."""

    loss: torch.Tensor  # E[D(G(z))] - E[D(x)] + gp_weight * penalty
    wasserstein: torch.Tensor  # E[D(x)] - E[D(G(z))]: the critic's estimate of W1
    penalty: torch.Tensor  # E[(||grad D(x_hat)|| - 1)^2]
    fake_score: torch.Tensor  # E[D(G(z))]


def layer_norm(channels: int) -> nn.Module:
    """Layer normalisation over (channels, height, width): a GroupNorm with one group."""
    return nn.GroupNorm(1, channels)


class WGANGP(nn.Module):
    """Gulrajani et al. (2017) WGAN-GP with the DCGAN generator.

    The critic is the DCGAN discriminator without the sigmoid (its output is a score, not a
    probability) and with layer norm for batch norm: the penalty is taken per input, and
    batch norm would make each score depend on the rest of the batch (sec. 4).
    """

    def __init__(self, latent_dim: int = 64, channels: int = 64) -> None:
        super().__init__()
        self.latent_dim = latent_dim
        self.generator = Generator(latent_dim, channels)
        self.critic = Discriminator(channels, norm=layer_norm)

    def critic_loss(
        self,
        real: torch.Tensor,
        fake: torch.Tensor,
        gp_weight: float,
        generator: torch.Generator | None = None,
    ) -> CriticLoss:
        """-(E[D(x)] - E[D(G(z))]) + lambda * penalty (Gulrajani et al. 2017, eq. 3)."""
        fake_score = self.critic(fake).mean()
        wasserstein = self.critic(real).mean() - fake_score
        penalty = gradient_penalty(self.critic, real, fake, generator)
        return CriticLoss(gp_weight * penalty - wasserstein, wasserstein, penalty, fake_score)

    def generator_loss(self, fake: torch.Tensor) -> torch.Tensor:
        """-E[D(G(z))]: the generator raises the critic's score of its images."""
        return -self.critic(fake).mean()

    @torch.no_grad()
    def sample(self, z: torch.Tensor) -> torch.Tensor:
        """Generated pixel values (N, 1, 28, 28) in [0, 1]."""
        return signed_to_unit(self.generator(z))


def gradient_penalty(
    critic: Callable[[torch.Tensor], torch.Tensor],
    real: torch.Tensor,
    fake: torch.Tensor,
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    """E[(||grad D(x_hat)||_2 - 1)^2] at random points x_hat between real and fake images.

    Gulrajani et al. (2017, eq. 3, alg. 1): an optimal critic has gradient norm 1 on the
    lines between the two distributions, so the penalty asks for it there. It replaces
    weight clipping (Arjovsky et al. 2017), which pushes weights to the clip values and
    leaves a critic too simple, or gradients that vanish or explode (their sec. 3).
    """
    shape = (len(real),) + (1,) * (real.dim() - 1)
    eps = torch.rand(shape, generator=generator, device=real.device, dtype=real.dtype)
    x_hat = (eps * real + (1 - eps) * fake.detach()).requires_grad_(True)
    (grad,) = torch.autograd.grad(critic(x_hat).sum(), x_hat, create_graph=True)
    return (grad.flatten(1).norm(dim=1) - 1).pow(2).mean()
