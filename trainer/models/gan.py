"""A DCGAN for 28x28 images: generator from a latent vector, discriminator on 784 inputs."""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import torch
import torch.nn.functional as F
from torch import nn

from trainer.common.pixels import signed_to_unit

PIXELS = 28 * 28


class DiscriminatorLoss(NamedTuple):
    """The discriminator's loss and its mean outputs on real and generated images."""

    loss: torch.Tensor
    d_real: torch.Tensor  # mean D(x)
    d_fake: torch.Tensor  # mean D(G(z))


class Generator(nn.Module):
    """z -> 7x7 feature map -> two stride-2 transposed convolutions -> tanh image in [-1, 1]."""

    def __init__(self, latent_dim: int = 64, channels: int = 64) -> None:
        super().__init__()
        self.latent_dim = latent_dim
        self.net = nn.Sequential(
            nn.Linear(latent_dim, 2 * channels * 7 * 7, bias=False),
            nn.BatchNorm1d(2 * channels * 7 * 7),
            nn.ReLU(),
            nn.Unflatten(1, (2 * channels, 7, 7)),
            nn.ConvTranspose2d(2 * channels, channels, 4, stride=2, padding=1, bias=False),
            nn.BatchNorm2d(channels),
            nn.ReLU(),
            nn.ConvTranspose2d(channels, 1, 4, stride=2, padding=1),
            nn.Tanh(),
        )

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        """Images (N, 1, 28, 28) in [-1, 1]."""
        return self.net(z)


def discriminator_features(
    channels: int,
    norm: Callable[[int], nn.Module],
    dropout: Callable[[], nn.Module] | None = None,
) -> list[nn.Module]:
    """784 pixels -> two stride-2 convolutions -> 2 * channels * 7 * 7 flat features.

    `dropout`, when given, makes a layer that follows each activation (WGAN-CT's critic).
    """
    return [
        nn.Unflatten(1, (1, 28, 28)),
        nn.Conv2d(1, channels, 4, stride=2, padding=1),  # 28 -> 14
        nn.LeakyReLU(0.2),
        *([dropout()] if dropout else []),
        nn.Conv2d(channels, 2 * channels, 4, stride=2, padding=1, bias=False),  # 14 -> 7
        norm(2 * channels),
        nn.LeakyReLU(0.2),
        *([dropout()] if dropout else []),
        nn.Flatten(),
    ]


class Discriminator(nn.Module):
    """Takes 784 pixel values per image (flat or 28x28) in [-1, 1] and returns one logit.

    `norm` normalises the second convolution's output: batch norm in the DCGAN. `dropout`: see
    `discriminator_features`.
    """

    input_dim = PIXELS

    def __init__(
        self,
        channels: int = 64,
        norm: Callable[[int], nn.Module] = nn.BatchNorm2d,
        dropout: Callable[[], nn.Module] | None = None,
    ) -> None:
        super().__init__()
        self.net = nn.Sequential(
            *discriminator_features(channels, norm, dropout), nn.Linear(2 * channels * 7 * 7, 1)
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Logits (N,) that the inputs are real."""
        return self.net(x.reshape(len(x), self.input_dim)).squeeze(1)


class DCGAN(nn.Module):
    """Radford et al. (2016) DCGAN, sized for 28x28, with the non-saturating loss.

    The `labels` arguments are for the conditional subclass; this model ignores them.
    """

    def __init__(self, latent_dim: int = 64, channels: int = 64) -> None:
        super().__init__()
        self.latent_dim = latent_dim
        self.generator = self.build_generator(latent_dim, channels)
        self.discriminator = self.build_discriminator(channels)

    def build_generator(self, latent_dim: int, channels: int) -> nn.Module:
        """The generator network."""
        return Generator(latent_dim, channels)

    def build_discriminator(self, channels: int) -> nn.Module:
        """The discriminator network."""
        return Discriminator(channels)

    def generate(self, z: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        """Generated images (N, 1, 28, 28) in [-1, 1]."""
        return self.generator(z)

    def score(self, x: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        """Discriminator logits (N,) of images in [-1, 1]."""
        return self.discriminator(x)

    def discriminator_loss(
        self, real: torch.Tensor, fake: torch.Tensor, labels: torch.Tensor | None = None
    ) -> DiscriminatorLoss:
        """-log D(x) - log(1 - D(G(z))), the discriminator's side of Goodfellow et al. (2014)."""
        real_logits = self.score(real, labels)
        fake_logits = self.score(fake, labels)
        loss = F.binary_cross_entropy_with_logits(
            real_logits, torch.ones_like(real_logits)
        ) + F.binary_cross_entropy_with_logits(fake_logits, torch.zeros_like(fake_logits))
        return DiscriminatorLoss(
            loss, torch.sigmoid(real_logits).mean(), torch.sigmoid(fake_logits).mean()
        )

    def generator_loss(
        self, fake: torch.Tensor, labels: torch.Tensor | None = None
    ) -> torch.Tensor:
        """Non-saturating -log D(G(z)) (Goodfellow et al. 2014, sec. 3): strong early gradients."""
        logits = self.score(fake, labels)
        return F.binary_cross_entropy_with_logits(logits, torch.ones_like(logits))

    @torch.no_grad()
    def sample(self, z: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        """Generated pixel values (N, 1, 28, 28) in [0, 1]."""
        return signed_to_unit(self.generate(z, labels))


def dcgan_init(module: nn.Module) -> None:
    """N(0, 0.02) weights and unit-mean BatchNorm scales (Radford et al. 2016, sec. 4)."""
    if isinstance(module, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear, nn.Embedding)):
        nn.init.normal_(module.weight, 0.0, 0.02)
        if getattr(module, "bias", None) is not None:
            nn.init.zeros_(module.bias)
    elif isinstance(module, (nn.BatchNorm1d, nn.BatchNorm2d)):
        nn.init.normal_(module.weight, 1.0, 0.02)
        nn.init.zeros_(module.bias)
