"""Bits per dimension of 8-bit images: one scale for every likelihood model of fmgen."""

from __future__ import annotations

import math

PIXELS = 784
LEVELS = 256  # values of an 8-bit pixel


def bits_per_dim(nats_per_image: float, pixels: int = 784) -> float:
    """Nats per image as bits per pixel: meaningful for discrete pixels only (binarised, or
    8-bit under a discretised decoder); see the functions below for 8-bit data."""
    return nats_per_image / (pixels * math.log(2))


def dequantized_bits_per_dim(continuous_nats: float, dims: int = PIXELS) -> float:
    """Bits/dim of 8-bit images from -log p(y) in nats of a density on y in [0, 1]^D.

    Uniform dequantisation y = (x + u) / 256 bounds the discrete likelihood (Theis et al. 2016):
    -log P(x) <= E_u[-log p(y)] + D log 256, the second term being the Jacobian of the scaling
    from [0, 256)^D to [0, 1)^D. So bpd = (NLL_continuous + D log 256) / (D log 2).
    """
    return bits_per_dim(continuous_nats + dims * math.log(LEVELS), dims)


def vae_bits_per_dim(nats: float, eight_bit: bool) -> float | None:
    """8-bit bits/dim of a VAE bound on -log P(x) (IWAE, -ELBO) in nats per image.

    None unless the decoder is a probability of 8-bit images (`eight_bit`; a Bernoulli on
    intensities is not); with the discretised logistic decoder the bound is on the same scale
    as the flow's and the DDPM's.
    """
    return bits_per_dim(nats, PIXELS) if eight_bit else None
