"""RealNVP (Dinh et al. 2017): a multi-scale normalizing flow with an exact likelihood.

Data y in (0, 1)^D (dequantised pixels) -> logit preprocessing -> per scale: checkerboard
couplings, squeeze, channel couplings, half the channels factored out to the latent ->
couplings on what is left. The latent z has the data's D = 784 dimensions and a standard
normal prior; log p(y) = log N(z; 0, I) + log|det dz/dy| (change of variables, eq. 3).
"""

from __future__ import annotations

import itertools
import math

import torch
from torch import nn

from trainer.models.coupling import ChannelCoupling, CheckerboardCoupling, squeeze, unsqueeze

LOG_2PI = math.log(2 * math.pi)
# p = ALPHA + (1 - 2 ALPHA) y keeps the logit away from +-inf at black and white pixels
# (Dinh et al. 2017, sec. 4.1, used 0.05 on CIFAR-10).
ALPHA = 0.05


def logit_preprocess(y: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """y in (0, 1) -> logit(ALPHA + (1 - 2 ALPHA) y), with the log-det per image.

    d/dy logit(p) = (1 - 2 ALPHA) / (p (1 - p)), so each pixel adds
    log(1 - 2 ALPHA) - log p - log(1 - p).
    """
    p = ALPHA + (1 - 2 * ALPHA) * y
    log_det = math.log(1 - 2 * ALPHA) - torch.log(p) - torch.log1p(-p)
    return torch.log(p) - torch.log1p(-p), log_det.flatten(1).sum(dim=1)


def logit_postprocess(x: torch.Tensor) -> torch.Tensor:
    """The inverse of `logit_preprocess`: sigmoid, then undo the squeeze into (ALPHA, 1-ALPHA)."""
    return (torch.sigmoid(x) - ALPHA) / (1 - 2 * ALPHA)


class Scale(nn.Module):
    """One scale: checkerboard couplings, squeeze, channel couplings (sec. 3.6)."""

    def __init__(self, channels: int, size: int, couplings: int, width: int, blocks: int):
        super().__init__()
        self.checkerboard = nn.ModuleList(
            CheckerboardCoupling(channels, size, i % 2, width, blocks) for i in range(couplings)
        )
        self.channelwise = nn.ModuleList(
            ChannelCoupling(4 * channels, i % 2, width, blocks) for i in range(couplings)
        )

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(N, C, S, S) -> (N, 4C, S/2, S/2) and the log-det per image."""
        log_det = torch.zeros(len(x), device=x.device, dtype=x.dtype)
        for layer in self.checkerboard:
            x, ld = layer(x)
            log_det = log_det + ld
        x = squeeze(x)
        for layer in self.channelwise:
            x, ld = layer(x)
            log_det = log_det + ld
        return x, log_det

    def inverse(self, y: torch.Tensor) -> torch.Tensor:
        """The input of `forward` from its output."""
        for layer in reversed(self.channelwise):
            y = layer.inverse(y)
        y = unsqueeze(y)
        for layer in reversed(self.checkerboard):
            y = layer.inverse(y)
        return y


class RealNVP(nn.Module):
    """The flow for (channels, size, size) images; `scales` halvings of the side (28 -> 7);
    `widths` of the coupling networks per scale and for the final block.

    Each scale factors out half of its channels to the latent (sec. 3.6); the last block of
    `final_couplings` checkerboard couplings works on what remains.
    """

    def __init__(
        self,
        channels: int = 1,
        size: int = 28,
        scales: int = 2,
        couplings: int = 3,
        final_couplings: int = 4,
        widths: tuple[int, ...] = (32, 64, 64),
        blocks: int = 2,
    ) -> None:
        super().__init__()
        self.shape = (channels, size, size)
        self.scales = nn.ModuleList()
        self.latent_shapes = []  # what each scale factors out, then what the final block keeps
        for width in widths[:scales]:
            self.scales.append(Scale(channels, size, couplings, width, blocks))
            channels, size = 2 * channels, size // 2  # 4C after the squeeze, half factored out
            self.latent_shapes.append((channels, size, size))
        self.final = nn.ModuleList(
            CheckerboardCoupling(channels, size, i % 2, widths[scales], blocks)
            for i in range(final_couplings)
        )
        self.latent_shapes.append((channels, size, size))
        self.dims = math.prod(self.shape)

    def forward(self, y: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Images y (N, C, S, S) in (0, 1) -> latent z (N, D) and log|det dz/dy| per image."""
        x, log_det = logit_preprocess(y)
        parts = []
        for scale in self.scales:
            x, ld = scale(x)
            factored, x = x.chunk(2, dim=1)
            parts.append(factored.flatten(1))
            log_det = log_det + ld
        for layer in self.final:
            x, ld = layer(x)
            log_det = log_det + ld
        parts.append(x.flatten(1))
        return torch.cat(parts, dim=1), log_det

    def latent_parts(self) -> list[slice]:
        """Where each scale's factored-out half lies in z, finest first; the final block's last."""
        ends = itertools.accumulate((math.prod(shape) for shape in self.latent_shapes), initial=0)
        return [slice(low, high) for low, high in itertools.pairwise(ends)]

    def inverse(self, z: torch.Tensor) -> torch.Tensor:
        """Latent z (N, D) -> images y (N, C, S, S) in (0, 1): the exact inverse of `forward`."""
        parts = [
            z[:, part].reshape(len(z), *shape)
            for part, shape in zip(self.latent_parts(), self.latent_shapes, strict=True)
        ]
        x = parts.pop()
        for layer in reversed(self.final):
            x = layer.inverse(x)
        for scale in reversed(self.scales):
            x = scale.inverse(torch.cat((parts.pop(), x), dim=1))
        return logit_postprocess(x)

    def log_prob(self, y: torch.Tensor) -> torch.Tensor:
        """log p(y) per image in nats, for y in (0, 1)^D: the change of variables."""
        z, log_det = self(y)
        return -0.5 * (z.pow(2) + LOG_2PI).sum(dim=1) + log_det
