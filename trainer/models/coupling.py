"""The invertible layers of RealNVP (Dinh et al. 2017): affine couplings and squeezing.

Every layer maps x -> (y, log|det dy/dx|) and back exactly; the log-determinant of an affine
coupling is the sum of its log-scales, because its Jacobian is triangular (sec. 3.3).
"""

from __future__ import annotations

import torch
from torch import nn


def squeeze(x: torch.Tensor) -> torch.Tensor:
    """(N, C, H, W) -> (N, 4C, H/2, W/2): each 2x2 patch becomes 4 channels (sec. 3.6)."""
    n, c, h, w = x.shape
    x = x.reshape(n, c, h // 2, 2, w // 2, 2).permute(0, 1, 3, 5, 2, 4)
    return x.reshape(n, 4 * c, h // 2, w // 2)


def unsqueeze(x: torch.Tensor) -> torch.Tensor:
    """The inverse of `squeeze`."""
    n, c, h, w = x.shape
    x = x.reshape(n, c // 4, 2, 2, h, w).permute(0, 1, 4, 2, 5, 3)
    return x.reshape(n, c // 4, 2 * h, 2 * w)


class ResidualBlock(nn.Module):
    """x + conv(relu(conv(relu(x)))), the building block of the coupling networks."""

    def __init__(self, width: int) -> None:
        super().__init__()
        self.body = nn.Sequential(
            nn.ReLU(),
            nn.Conv2d(width, width, 3, padding=1),
            nn.ReLU(),
            nn.Conv2d(width, width, 3, padding=1),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.body(x)


class CouplingNet(nn.Module):
    """The kept part -> (log-scale, shift) of the changed part: a small ResNet (sec. 4.1).

    The last convolution starts at zero, so a new coupling is the identity (log-scale 0,
    shift 0) and an untrained flow is the identity after the preprocessing.
    """

    def __init__(self, channels_in: int, channels_out: int, width: int, blocks: int) -> None:
        super().__init__()
        self.net = nn.Sequential(
            nn.Conv2d(channels_in, width, 3, padding=1),
            *(ResidualBlock(width) for _ in range(blocks)),
            nn.ReLU(),
            nn.Conv2d(width, 2 * channels_out, 3, padding=1),
        )
        nn.init.zeros_(self.net[-1].weight)
        nn.init.zeros_(self.net[-1].bias)
        # log-scale = gain * tanh(raw): bounded, as in Dinh et al.'s code, so exp() cannot blow up
        self.gain = nn.Parameter(torch.ones(1, channels_out, 1, 1))

    def forward(self, kept: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        raw_scale, shift = self.net(kept).chunk(2, dim=1)
        return self.gain * torch.tanh(raw_scale), shift


class CheckerboardCoupling(nn.Module):
    """Changes the pixels of one colour of a checkerboard, given the other colour (eq. 9)."""

    def __init__(self, channels: int, size: int, parity: int, width: int, blocks: int) -> None:
        super().__init__()
        rows, cols = torch.meshgrid(torch.arange(size), torch.arange(size), indexing="ij")
        self.register_buffer("mask", ((rows + cols) % 2 == parity).float()[None, None])
        self.net = CouplingNet(channels, channels, width, blocks)

    def _scale_shift(self, kept: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        log_scale, shift = self.net(kept)
        changed = 1 - self.mask
        return log_scale * changed, shift * changed

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """y = b x + (1 - b)(x e^s + t), log-det = sum of (1 - b) s."""
        log_scale, shift = self._scale_shift(x * self.mask)
        return x * torch.exp(log_scale) + shift, log_scale.flatten(1).sum(dim=1)

    def inverse(self, y: torch.Tensor) -> torch.Tensor:
        """x from y: the kept pixels are unchanged, so s and t are computed again from them."""
        log_scale, shift = self._scale_shift(y * self.mask)
        return (y - shift) * torch.exp(-log_scale)


class ChannelCoupling(nn.Module):
    """Changes one half of the channels given the other half (sec. 3.4, channel-wise mask)."""

    def __init__(self, channels: int, parity: int, width: int, blocks: int) -> None:
        super().__init__()
        self.parity = parity
        half = channels // 2
        self.net = CouplingNet(half, channels - half, width, blocks)

    def _halves(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        first, second = x.chunk(2, dim=1)
        return (first, second) if self.parity == 0 else (second, first)

    def _join(self, kept: torch.Tensor, changed: torch.Tensor) -> torch.Tensor:
        return torch.cat((kept, changed) if self.parity == 0 else (changed, kept), dim=1)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """The changed half becomes x e^s + t; log-det = sum of s."""
        kept, changed = self._halves(x)
        log_scale, shift = self.net(kept)
        changed = changed * torch.exp(log_scale) + shift
        return self._join(kept, changed), log_scale.flatten(1).sum(dim=1)

    def inverse(self, y: torch.Tensor) -> torch.Tensor:
        """x from y, with s and t recomputed from the unchanged half."""
        kept, changed = self._halves(y)
        log_scale, shift = self.net(kept)
        return self._join(kept, (changed - shift) * torch.exp(-log_scale))
