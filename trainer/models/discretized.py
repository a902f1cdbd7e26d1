"""Densities over 8-bit pixels: a continuous distribution integrated over each value's bin.

Pixel value k in 0..255 is x = k / 255 in [0, 1] and owns the bin [x - h, x + h] with
h = 1 / 510; the lowest bin reaches down to -inf and the highest up to +inf, so the 256
probabilities of a pixel sum to 1 (Salimans et al. 2017, sec. 2.1; Ho et al. 2020, eq. 13).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

LEVELS = 256
HALF_BIN = 0.5 / (LEVELS - 1)  # half the distance between neighbouring pixel values in [0, 1]
_MIN_PROBABILITY = 1e-12  # floor of a Gaussian bin's mass far out in a tail


def _by_bin(x: torch.Tensor, lowest: torch.Tensor, middle: torch.Tensor, highest: torch.Tensor):
    """Pick each pixel's formula: the open-ended bins of 0 and 255, or a closed bin."""
    return torch.where(x < HALF_BIN, lowest, torch.where(x > 1 - HALF_BIN, highest, middle))


def discretized_logistic_log_prob(
    x: torch.Tensor, mean: torch.Tensor, log_scale: torch.Tensor
) -> torch.Tensor:
    """log P(x) per pixel for x = k / 255 under a logistic(mean, e^log_scale) on [0, 1].

    The closed bin's mass sigmoid(a) - sigmoid(b), with a > b, is written as
    sigmoid(a) * sigmoid(-b) * (1 - e^(b - a)): exact, and stable in both tails.
    """
    inv_scale = torch.exp(-log_scale)
    upper = inv_scale * (x - mean + HALF_BIN)
    lower = inv_scale * (x - mean - HALF_BIN)
    log_cdf_upper = F.logsigmoid(upper)
    log_sf_lower = F.logsigmoid(-lower)
    log_bin = log_cdf_upper + log_sf_lower + torch.log(-torch.expm1(lower - upper))
    return _by_bin(x, log_cdf_upper, log_bin, log_sf_lower)


def discretized_gaussian_log_prob(
    x: torch.Tensor, mean: torch.Tensor, log_std: torch.Tensor
) -> torch.Tensor:
    """log P(x) per pixel for x = k / 255 under N(mean, e^(2 log_std)) on [0, 1].

    Ho et al. 2020's decoder L_0 (eq. 13); a bin's mass is taken from the nearer tail, and
    floored at 1e-12 as in their code.
    """
    inv_std = torch.exp(-log_std)
    upper = inv_std * (x - mean + HALF_BIN)
    lower = inv_std * (x - mean - HALF_BIN)
    upper_tail = lower > 0  # the whole bin above the mean: subtract survival functions
    mass = torch.where(
        upper_tail,
        torch.special.ndtr(-lower) - torch.special.ndtr(-upper),
        torch.special.ndtr(upper) - torch.special.ndtr(lower),
    )
    log_bin = torch.log(mass.clamp(min=_MIN_PROBABILITY))
    return _by_bin(x, torch.special.log_ndtr(upper), log_bin, torch.special.log_ndtr(-lower))
