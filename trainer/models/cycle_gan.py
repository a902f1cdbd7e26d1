"""CycleGAN (Zhu et al. 2017, "Unpaired Image-to-Image Translation using Cycle-Consistent
Adversarial Networks") sized for 28x28: two ResNet-style generators G: A -> B and F: B -> A,
two PatchGAN-style discriminators D_A and D_B, the least-squares adversarial loss, the cycle
loss and the identity loss. Images are in [-1, 1] (tanh outputs), as in the paper's code.
"""

from __future__ import annotations

from typing import NamedTuple

import torch
from torch import nn

from trainer.common.pixels import signed_to_unit

IDENTITY_SHARE = 0.5  # the identity loss's weight as a share of lambda (Zhu et al. sec. 5.2)


def _conv_norm_relu(channels_in: int, channels_out: int, **conv: int) -> list[nn.Module]:
    return [
        nn.Conv2d(channels_in, channels_out, **conv),
        nn.InstanceNorm2d(channels_out, affine=True),
        nn.ReLU(),
    ]


class ResidualBlock(nn.Module):
    """x + two 3x3 convolutions (reflection padding, instance norm), as the paper's R blocks."""

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.net = nn.Sequential(
            nn.ReflectionPad2d(1),
            *_conv_norm_relu(channels, channels, kernel_size=3),
            nn.ReflectionPad2d(1),
            nn.Conv2d(channels, channels, 3),
            nn.InstanceNorm2d(channels, affine=True),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x plus the block's residual."""
        return x + self.net(x)


class Generator(nn.Module):
    """The paper's ResNet generator (appendix 7.2: c7s1-k, d2k, d4k, R4k..., u2k, uk, c7s1-3)
    at 28x28 and one channel: 28 -> 14 -> 7, `blocks` residual blocks at 7x7, back to 28."""

    def __init__(self, channels: int = 16, blocks: int = 3) -> None:
        super().__init__()
        c = channels
        self.net = nn.Sequential(
            nn.ReflectionPad2d(3),
            *_conv_norm_relu(1, c, kernel_size=7),
            *_conv_norm_relu(c, 2 * c, kernel_size=3, stride=2, padding=1),  # 28 -> 14
            *_conv_norm_relu(2 * c, 4 * c, kernel_size=3, stride=2, padding=1),  # 14 -> 7
            *(ResidualBlock(4 * c) for _ in range(blocks)),
            nn.ConvTranspose2d(4 * c, 2 * c, 3, stride=2, padding=1, output_padding=1),  # 7->14
            nn.InstanceNorm2d(2 * c, affine=True),
            nn.ReLU(),
            nn.ConvTranspose2d(2 * c, c, 3, stride=2, padding=1, output_padding=1),  # 14 -> 28
            nn.InstanceNorm2d(c, affine=True),
            nn.ReLU(),
            nn.ReflectionPad2d(3),
            nn.Conv2d(c, 1, 7),
            nn.Tanh(),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Translated images (N, 1, 28, 28) in [-1, 1]."""
        return self.net(x)


class PatchDiscriminator(nn.Module):
    """PatchGAN (Isola et al. 2017) at 28x28: each of a 7x7 map of scores judges one patch
    (receptive field 22x22 pixels) real or translated."""

    def __init__(self, channels: int = 32) -> None:
        super().__init__()
        c = channels
        self.net = nn.Sequential(
            nn.Conv2d(1, c, 4, stride=2, padding=1),  # 28 -> 14, no norm on the first layer
            nn.LeakyReLU(0.2),
            nn.Conv2d(c, 2 * c, 4, stride=2, padding=1),  # 14 -> 7
            nn.InstanceNorm2d(2 * c, affine=True),
            nn.LeakyReLU(0.2),
            nn.Conv2d(2 * c, 4 * c, 3, padding=1),
            nn.InstanceNorm2d(4 * c, affine=True),
            nn.LeakyReLU(0.2),
            nn.Conv2d(4 * c, 1, 3, padding=1),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Raw scores (N, 1, 7, 7): near 1 for real patches, near 0 for translated ones."""
        return self.net(x)


def lsgan_generator_loss(fake_scores: torch.Tensor) -> torch.Tensor:
    """E[(D(G(x)) - 1)^2]: the least-squares form of Eq. 1's generator side (Zhu et al.
    sec. 4, after Mao et al. 2017)."""
    return (fake_scores - 1).pow(2).mean()


def lsgan_discriminator_loss(real_scores: torch.Tensor, fake_scores: torch.Tensor) -> torch.Tensor:
    """(E[(D(y) - 1)^2] + E[D(G(x))^2]) / 2: Eq. 1's discriminator side in least squares,
    halved as in the paper's code so that D learns slower than G."""
    return ((real_scores - 1).pow(2).mean() + fake_scores.pow(2).mean()) / 2


def l1(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Mean absolute difference per pixel: the norm of Eq. 2 (cycle) and of the identity loss."""
    return (x - y).abs().mean()


class GeneratorLosses(NamedTuple):
    """The generators' objective (Eq. 3 plus the identity term) and its parts."""

    total: torch.Tensor
    g_adversarial: torch.Tensor  # G: A -> B against D_B
    f_adversarial: torch.Tensor  # F: B -> A against D_A
    cycle: torch.Tensor  # Eq. 2, both directions summed
    identity: torch.Tensor  # sec. 5.2, both generators summed
    fake_a: torch.Tensor  # F(b)
    fake_b: torch.Tensor  # G(a)


class DiscriminatorLosses(NamedTuple):
    """Each discriminator's least-squares loss."""

    d_a: torch.Tensor
    d_b: torch.Tensor


class CycleGAN(nn.Module):
    """G (`a_to_b`), F (`b_to_a`) and the discriminators D_A, D_B of one domain pair."""

    def __init__(self, channels: int = 8, blocks: int = 3) -> None:
        super().__init__()
        self.a_to_b = Generator(channels, blocks)
        self.b_to_a = Generator(channels, blocks)
        self.discriminator_a = PatchDiscriminator(2 * channels)
        self.discriminator_b = PatchDiscriminator(2 * channels)

    def generators(self) -> list[nn.Parameter]:
        """G's and F's weights: one optimizer steps both (the paper's code does the same)."""
        return [*self.a_to_b.parameters(), *self.b_to_a.parameters()]

    def discriminators(self) -> list[nn.Parameter]:
        """D_A's and D_B's weights."""
        return [*self.discriminator_a.parameters(), *self.discriminator_b.parameters()]

    def generator_losses(
        self, a: torch.Tensor, b: torch.Tensor, cycle_weight: float
    ) -> GeneratorLosses:
        """L_GAN(G, D_B) + L_GAN(F, D_A) + lambda L_cyc (Eq. 3) + 0.5 lambda L_identity, on
        a batch `a` of domain A and `b` of domain B (unpaired), in [-1, 1]."""
        fake_b, fake_a = self.a_to_b(a), self.b_to_a(b)
        g_adversarial = lsgan_generator_loss(self.discriminator_b(fake_b))
        f_adversarial = lsgan_generator_loss(self.discriminator_a(fake_a))
        # Eq. 2: forward cycle x -> G(x) -> F(G(x)) ~ x and backward y -> F(y) -> G(F(y)) ~ y.
        cycle = l1(self.b_to_a(fake_b), a) + l1(self.a_to_b(fake_a), b)
        # Sec. 5.2: a generator fed an image of its target domain should leave it as it is.
        identity = l1(self.a_to_b(b), b) + l1(self.b_to_a(a), a)
        total = (
            g_adversarial
            + f_adversarial
            + cycle_weight * cycle
            + IDENTITY_SHARE * cycle_weight * identity
        )
        return GeneratorLosses(total, g_adversarial, f_adversarial, cycle, identity, fake_a, fake_b)

    def discriminator_losses(
        self, a: torch.Tensor, b: torch.Tensor, fake_a: torch.Tensor, fake_b: torch.Tensor
    ) -> DiscriminatorLosses:
        """D_A: real A against F(b); D_B: real B against G(a) (pass the fakes detached)."""
        return DiscriminatorLosses(
            lsgan_discriminator_loss(self.discriminator_a(a), self.discriminator_a(fake_a)),
            lsgan_discriminator_loss(self.discriminator_b(b), self.discriminator_b(fake_b)),
        )

    @torch.no_grad()
    def translate(self, x: torch.Tensor, direction: str) -> torch.Tensor:
        """Images in [-1, 1] translated by G ('a_to_b') or F ('b_to_a'), in [0, 1]."""
        return signed_to_unit(getattr(self, direction)(x))
