"""A BigGAN-style class-conditional GAN sized for 28x28 (Brock et al. 2019).

BigGAN's ingredients at Fashion-MNIST's scale: residual blocks in both players, spectral norm
on every weight of G and D, a shared class embedding feeding conditional batch norm in G, a
projection discriminator, the hinge loss, and an exponential moving average of G's weights for
sampling. The truncation trick lives in trainer.models.truncation.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.utils import parametrize
from torch.nn.utils.parametrizations import spectral_norm
from torch.optim.swa_utils import AveragedModel

from trainer.models.cgan import projection_logits
from trainer.models.conditioning import NUM_CLASSES, one_hot, required_labels
from trainer.models.diffusion import warmed_up_ema
from trainer.models.gan import DCGAN, DiscriminatorLoss

# BigGAN's G average uses decay 0.9999 after 20k steps of 2048 images; a CPU run here takes a
# few thousand steps, so 0.999 (a horizon of about 1,000 steps, an epoch at batch 64) after
# the warm-up of warmed_up_ema.
EMA_DECAY = 0.999


def sn(module: nn.Module) -> nn.Module:
    """`module` with orthogonal initial weights (Saxe et al. 2014, as BigGAN) under spectral
    norm (Miyato et al. 2018, eq. 8): W / sigma(W), sigma estimated by one power iteration a
    training forward pass."""
    nn.init.orthogonal_(module.weight)
    if getattr(module, "bias", None) is not None:
        nn.init.zeros_(module.bias)
    return spectral_norm(module)


def sn_conv(inputs: int, outputs: int, kernel: int = 3) -> nn.Module:
    """A spectrally normalised convolution that keeps the spatial size."""
    return sn(nn.Conv2d(inputs, outputs, kernel, padding=kernel // 2))


class ConditionalBatchNorm(nn.Module):
    """Batch norm whose gain and bias are linear in a condition c (de Vries et al. 2017):
    y = BN(x) (1 + W_g c) + W_b c, BigGAN's class-conditional BN (sec. 3, 'shared embedding')."""

    def __init__(self, channels: int, condition_dim: int) -> None:
        super().__init__()
        self.norm = nn.BatchNorm2d(channels, affine=False)
        self.gain = sn(nn.Linear(condition_dim, channels, bias=False))
        self.bias = sn(nn.Linear(condition_dim, channels, bias=False))

    def forward(self, x: torch.Tensor, condition: torch.Tensor) -> torch.Tensor:
        """Normalised `x` (N, C, H, W), scaled and shifted per image by `condition` (N, D)."""
        gain = 1 + self.gain(condition)[:, :, None, None]
        return self.norm(x) * gain + self.bias(condition)[:, :, None, None]


class GeneratorBlock(nn.Module):
    """BigGAN's up-sampling residual block (fig. 15b): CBN, ReLU, 2x nearest up-sampling,
    3x3 conv, CBN, ReLU, 3x3 conv; the shortcut is up-sampling and a 1x1 conv."""

    def __init__(self, inputs: int, outputs: int, condition_dim: int) -> None:
        super().__init__()
        self.norm1 = ConditionalBatchNorm(inputs, condition_dim)
        self.conv1 = sn_conv(inputs, outputs)
        self.norm2 = ConditionalBatchNorm(outputs, condition_dim)
        self.conv2 = sn_conv(outputs, outputs)
        self.shortcut = sn_conv(inputs, outputs, kernel=1)

    def forward(self, x: torch.Tensor, condition: torch.Tensor) -> torch.Tensor:
        """Features at twice the height and width."""
        h = F.interpolate(F.relu(self.norm1(x, condition)), scale_factor=2)
        h = self.conv2(F.relu(self.norm2(self.conv1(h), condition)))
        return h + self.shortcut(F.interpolate(x, scale_factor=2))


class BigGANGenerator(nn.Module):
    """G(z, y): z -> (4c, 7, 7) -> two residual up-blocks -> (c, 28, 28) -> BN, ReLU, conv, tanh.

    Every conditional BN reads c = [z, shared(y)]: the whole z with the shared class embedding,
    as BigGAN-deep does (Brock et al. 2019, app. B), rather than one chunk of z per block.
    """

    def __init__(self, latent_dim: int, channels: int = 16, embed_dim: int = 32) -> None:
        super().__init__()
        self.latent_dim, self.width = latent_dim, 4 * channels
        condition_dim = latent_dim + embed_dim
        self.shared = nn.Embedding(NUM_CLASSES, embed_dim)  # one table for every CBN layer
        self.linear = sn(nn.Linear(latent_dim, self.width * 7 * 7))
        self.blocks = nn.ModuleList(
            [
                GeneratorBlock(4 * channels, 2 * channels, condition_dim),  # 7 -> 14
                GeneratorBlock(2 * channels, channels, condition_dim),  # 14 -> 28
            ]
        )
        self.out_norm = nn.BatchNorm2d(channels)
        self.out_conv = sn_conv(channels, 1)

    def forward(self, z: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        """Images (N, 1, 28, 28) in [-1, 1]; `labels` are class indices or class weights."""
        condition = torch.cat([z, one_hot(labels) @ self.shared.weight], dim=1)
        h = self.linear(z).view(len(z), self.width, 7, 7)
        for block in self.blocks:
            h = block(h, condition)
        return torch.tanh(self.out_conv(F.relu(self.out_norm(h))))


class DiscriminatorBlock(nn.Module):
    """BigGAN's down-sampling residual block (fig. 15c): ReLU, 3x3 conv, ReLU, 3x3 conv, 2x2
    average pooling; the shortcut is average pooling and a 1x1 conv (the two commute). The
    first block takes the image itself, without the leading ReLU (Miyato et al. 2018)."""

    def __init__(self, inputs: int, outputs: int, first: bool = False) -> None:
        super().__init__()
        self.first = first
        self.conv1 = sn_conv(inputs, outputs)
        self.conv2 = sn_conv(outputs, outputs)
        self.shortcut = sn_conv(inputs, outputs, kernel=1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Features at half the height and width."""
        h = x if self.first else F.relu(x)
        h = F.avg_pool2d(self.conv2(F.relu(self.conv1(h))), 2)
        return h + self.shortcut(F.avg_pool2d(x, 2))


class BigGANDiscriminator(nn.Module):
    """D(x, y): two residual down-blocks (28 -> 14 -> 7), ReLU, a sum over positions (BigGAN's
    global sum pooling), then the projection head psi(h) + <embed(y), h>."""

    input_dim = 28 * 28

    def __init__(self, channels: int = 32) -> None:
        super().__init__()
        width = 2 * channels
        self.blocks = nn.Sequential(
            DiscriminatorBlock(1, channels, first=True), DiscriminatorBlock(channels, width)
        )
        self.linear = sn(nn.Linear(width, 1))
        self.embed = sn(nn.Embedding(NUM_CLASSES, width))

    def forward(self, x: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        """Scores (N,) of images `x` in [-1, 1] as real images of classes `labels`."""
        h = F.relu(self.blocks(x.reshape(len(x), 1, 28, 28))).sum(dim=(2, 3))
        return projection_logits(h, labels, self.linear, self.embed.weight)


class BigGAN(DCGAN):
    """The two players, the hinge loss and `averaged`, the moving average of G's weights.

    In train mode `generate` runs the generator being trained; in eval mode (samples, grids,
    the evaluation) it runs the average, as BigGAN samples from its EMA generator.
    """

    def __init__(self, latent_dim: int = 64, channels: int = 16) -> None:
        super().__init__(latent_dim, channels)
        # use_buffers: the batch-norm statistics and spectral norm's u, v are averaged too,
        # as BigGAN-PyTorch's utils.ema lerps the whole state dict.
        self.averaged = AveragedModel(
            self.generator, multi_avg_fn=warmed_up_ema(EMA_DECAY), use_buffers=True
        )
        self.averaged.requires_grad_(False)

    def build_generator(self, latent_dim: int, channels: int) -> nn.Module:
        return BigGANGenerator(latent_dim, channels)

    def build_discriminator(self, channels: int) -> nn.Module:
        # D twice G's base width: with 16 channels it had 17k weights against G's 270k
        return BigGANDiscriminator(2 * channels)

    def generate(self, z: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        """Images (N, 1, 28, 28) in [-1, 1] of classes `labels`."""
        generator = self.generator if self.training else self.averaged
        return generator(z, required_labels(labels, len(z)))

    def score(self, x: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        """Scores (N,) that `x` are real images of classes `labels` (unbounded, not logits)."""
        return self.discriminator(x, required_labels(labels, len(x)))

    def discriminator_loss(
        self, real: torch.Tensor, fake: torch.Tensor, labels: torch.Tensor | None = None
    ) -> DiscriminatorLoss:
        """Hinge loss E[max(0, 1 - D(x))] + E[max(0, 1 + D(G(z)))] (Lim & Ye 2017, the loss of
        SNGAN and BigGAN), with the mean raw scores D(x) and D(G(z))."""
        real_scores, fake_scores = self.score(real, labels), self.score(fake, labels)
        loss = F.relu(1 - real_scores).mean() + F.relu(1 + fake_scores).mean()
        return DiscriminatorLoss(loss, real_scores.mean(), fake_scores.mean())

    def generator_loss(
        self, fake: torch.Tensor, labels: torch.Tensor | None = None
    ) -> torch.Tensor:
        """The hinge game's generator loss -E[D(G(z))] (Lim & Ye 2017)."""
        return -self.score(fake, labels).mean()

    @torch.no_grad()
    def update_average(self) -> None:
        """Move the average towards G's weights (after each generator step), then take one
        power iteration on the averaged weights, so their spectral norm uses singular vectors
        of the averaged W (an average of unit vectors is shorter than one, and would
        underestimate sigma)."""
        self.averaged.update_parameters(self.generator)
        was_training = self.averaged.training
        self.averaged.train()  # a parametrised weight read in train mode runs the iteration
        for module in self.averaged.modules():
            if parametrize.is_parametrized(module, "weight"):
                module.weight  # noqa: B018  (the read updates u and v in place)
        self.averaged.train(was_training)
