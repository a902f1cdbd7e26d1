"""A small U-Net that predicts the noise in x_t given t (Ho et al. 2020, sec. 4 and app. B).

Residual blocks with group norm and a sinusoidal time embedding added in every block,
self-attention at the lowest resolution, skip connections from each block of the way down to
the way up; sides 28 -> 14 -> 7 and back. A class-conditional U-Net (`num_classes`) adds a
learned class embedding to the time embedding, with one more entry, the last, for "no class"
(classifier-free guidance, Ho & Salimans 2022, sec. 3.2).
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn


def timestep_embedding(t: torch.Tensor, dim: int) -> torch.Tensor:
    """Sinusoidal embedding of integer timesteps (N,) -> (N, dim) (Vaswani et al. 2017)."""
    half = dim // 2
    frequencies = torch.exp(-math.log(10000) * torch.arange(half, device=t.device) / half)
    angles = t.float()[:, None] * frequencies[None]
    return torch.cat([torch.sin(angles), torch.cos(angles)], dim=1)


def _norm(channels: int) -> nn.GroupNorm:
    return nn.GroupNorm(min(8, channels), channels)


class ResBlock(nn.Module):
    """norm, SiLU, conv; + time; norm, SiLU, conv; + the (projected) input."""

    def __init__(self, channels_in: int, channels_out: int, time_dim: int) -> None:
        super().__init__()
        self.first = nn.Sequential(
            _norm(channels_in), nn.SiLU(), nn.Conv2d(channels_in, channels_out, 3, padding=1)
        )
        self.time = nn.Linear(time_dim, channels_out)
        self.second = nn.Sequential(
            _norm(channels_out), nn.SiLU(), nn.Conv2d(channels_out, channels_out, 3, padding=1)
        )
        same = channels_in == channels_out
        self.skip = nn.Identity() if same else nn.Conv2d(channels_in, channels_out, 1)

    def forward(self, x: torch.Tensor, time: torch.Tensor) -> torch.Tensor:
        h = self.first(x) + self.time(time)[:, :, None, None]
        return self.skip(x) + self.second(h)


class Attention(nn.Module):
    """Single-head self-attention over the positions of a feature map, with a residual."""

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.norm = _norm(channels)
        self.qkv = nn.Conv2d(channels, 3 * channels, 1)
        self.out = nn.Conv2d(channels, channels, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        n, c, h, w = x.shape
        q, k, v = self.qkv(self.norm(x)).reshape(n, 3, c, h * w).transpose(2, 3).unbind(1)
        attended = F.scaled_dot_product_attention(q, k, v)  # (N, HW, C)
        return x + self.out(attended.transpose(1, 2).reshape(n, c, h, w))


class UNet(nn.Module):
    """eps_theta(x_t, t) for (1, 28, 28) images: `channels` x `multipliers` per resolution."""

    def __init__(
        self,
        channels: int = 32,
        multipliers: tuple[int, ...] = (1, 2, 2),
        blocks: int = 2,
        image_channels: int = 1,
        num_classes: int | None = None,
    ) -> None:
        super().__init__()
        time_dim = 4 * channels
        self.channels = channels
        self.time = nn.Sequential(
            nn.Linear(channels, time_dim), nn.SiLU(), nn.Linear(time_dim, time_dim)
        )
        self.stem = nn.Conv2d(image_channels, channels, 3, padding=1)
        widths = [channels * m for m in multipliers]
        skips = [channels]
        self.down = nn.ModuleList()
        self.downsample = nn.ModuleList()
        current = channels
        for level, width in enumerate(widths):
            for _ in range(blocks):
                self.down.append(ResBlock(current, width, time_dim))
                current = width
                skips.append(current)
            if level < len(widths) - 1:
                self.downsample.append(nn.Conv2d(current, current, 3, stride=2, padding=1))
                skips.append(current)
        self.mid_first = ResBlock(current, current, time_dim)
        self.mid_attention = Attention(current)
        self.mid_second = ResBlock(current, current, time_dim)
        self.up = nn.ModuleList()
        self.upsample = nn.ModuleList()
        for level, width in reversed(list(enumerate(widths))):
            for _ in range(blocks + 1):
                self.up.append(ResBlock(current + skips.pop(), width, time_dim))
                current = width
            if level > 0:
                self.upsample.append(nn.Conv2d(current, current, 3, padding=1))
        self.head = nn.Sequential(
            _norm(current), nn.SiLU(), nn.Conv2d(current, image_channels, 3, padding=1)
        )
        nn.init.zeros_(self.head[-1].weight)  # starts by predicting zero noise
        nn.init.zeros_(self.head[-1].bias)
        self.blocks = blocks
        self.num_classes = num_classes
        if num_classes is not None:  # created last: an unconditional U-Net draws the same weights
            self.classes = nn.Embedding(num_classes + 1, time_dim)

    def forward(
        self, x: torch.Tensor, t: torch.Tensor, labels: torch.Tensor | None = None
    ) -> torch.Tensor:
        """The predicted noise (N, 1, 28, 28) in x_t at integer timesteps t (N,), of the class
        `labels` where the U-Net is conditional (see `class_embedding`)."""
        time = self.time(timestep_embedding(t, self.channels))
        if self.num_classes is not None:
            time = time + self.class_embedding(labels, len(x))
        h = self.stem(x)
        saved = [h]
        down = iter(self.down)
        for level in range(len(self.downsample) + 1):
            for _ in range(self.blocks):
                h = next(down)(h, time)
                saved.append(h)
            if level < len(self.downsample):
                h = self.downsample[level](h)
                saved.append(h)
        h = self.mid_second(self.mid_attention(self.mid_first(h, time)), time)
        up = iter(self.up)
        for level in range(len(self.upsample) + 1):
            for _ in range(self.blocks + 1):
                h = next(up)(torch.cat([h, saved.pop()], dim=1), time)
            if level < len(self.upsample):
                h = self.upsample[level](F.interpolate(h, scale_factor=2.0, mode="nearest"))
        return self.head(h)

    def class_embedding(self, labels: torch.Tensor | None, count: int) -> torch.Tensor:
        """The embedding (count, time_dim) of class indices (N,), where index `num_classes` (and
        None) is "no class", or of class weights (N, K) with K = num_classes or num_classes + 1:
        the weighted mix of the first K embeddings (the explorer's soft labels)."""
        if labels is None:
            labels = torch.full((count,), self.num_classes, device=self.classes.weight.device)
        if labels.is_floating_point():
            return labels @ self.classes.weight[: labels.shape[1]]
        return self.classes(labels.long())
