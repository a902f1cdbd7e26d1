"""Annealed importance sampling (Neal 2001) of an RBM's partition function, as Salakhutdinov &
Murray 2008 ("On the quantitative analysis of deep belief networks", sec. 3-4) run it.

The path starts at a base-rate model with no weights (independent pixels, p_0(v_i = 1) =
sigmoid(b^A_i)), whose visible biases b^A come from the training pixels' means, and ends at the
RBM. Between them
lie the geometric averages p_k(v) ~ p_0(v)^(1 - beta_k) p_RBM(v)^beta_k; with the hidden units
summed out (S&M eq. 10):

    log p*_k(v) = (1 - beta_k) b^A.v + beta_k b.v + sum_j softplus(beta_k (c_j + W_j.v)).

M chains start with exact draws of p_0; each adds log p*_k(v) - log p*_(k-1)(v) to its log
weight and then moves by one Gibbs step that leaves p_k invariant. The mean of the weights
estimates Z / Z_0 without bias, so log Z = log Z_0 + log-mean-exp(log weights). Jensen makes
that log an underestimate on average, and so the test log-likelihood -F(v) - log Z an
overestimate on average; it shrinks as K grows.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import torch
from torch.nn import functional as F

from trainer.models.rbm import RBM

# S&M's schedule: beta in steps of 1e-3 on [0, 0.5], 1e-4 on [0.5, 0.9] and on [0.9, 1]:
# 500, 4,000 and 1,000 distributions. The same shares of any K: (end of piece, share of K).
_PIECES = ((0.5, 500 / 5500), (0.9, 4000 / 5500), (1.0, 1000 / 5500))
ERROR_BAR_SE = 3  # the error bar: +-3 standard errors of log Z, as S&M's tables state theirs
PIXEL_FLOOR = 1e-3  # base-rate pixel means kept off 0 and 1 (finite biases)


@dataclass(frozen=True)
class AISEstimate:
    """log Z, its standard error (delta method on the weights' mean), and how it was run."""

    log_z: float
    se: float  # standard error of log Z: sd(w) / (sqrt(M) mean(w)), w = the weights
    steps: int  # K intermediate distributions
    chains: int  # M

    @property
    def error_bar(self) -> float:
        """Half the width of the stated interval: ERROR_BAR_SE standard errors."""
        return ERROR_BAR_SE * self.se


def betas(steps: int) -> torch.Tensor:
    """beta_0 = 0 < beta_1 < ... < beta_K = 1: S&M's piecewise-linear schedule shrunk (or grown)
    to `steps` intermediate distributions, denser near 1 where the RBM's weights dominate."""
    if steps < 3:
        return torch.linspace(0, 1, steps + 1, dtype=torch.float64)
    counts = [max(1, round(share * steps)) for _, share in _PIECES]
    counts[-1] = steps - sum(counts[:-1])
    parts, start = [torch.zeros(1, dtype=torch.float64)], 0.0
    for (end, _), count in zip(_PIECES, counts, strict=True):
        parts.append(torch.linspace(start, end, count + 1, dtype=torch.float64)[1:])
        start = end
    return torch.cat(parts)


def base_rate_logits(pixel_means: torch.Tensor) -> torch.Tensor:
    """The base-rate model's visible biases: the logits of the training pixels' means (S&M
    sec. 4.1), whose p_0 is as close to the data as a model without weights gets."""
    p = pixel_means.clamp(PIXEL_FLOOR, 1 - PIXEL_FLOOR)
    return torch.log(p) - torch.log1p(-p)


def _log_p_star(
    rbm: RBM, v: torch.Tensor, logits: torch.Tensor, base: torch.Tensor, beta: float
) -> torch.Tensor:
    """log p*_beta(v) per chain, from v's hidden logits c + W v (computed once per step)."""
    return (
        (1 - beta) * (v @ base) + beta * (v @ rbm.visible_bias) + F.softplus(beta * logits).sum(1)
    )


def _transition(
    rbm: RBM, v: torch.Tensor, logits: torch.Tensor, base: torch.Tensor, beta: float, rng
) -> torch.Tensor:
    """One Gibbs step that leaves p_beta invariant: h ~ p_beta(h|v), v ~ p_beta(v|h)."""
    h = torch.bernoulli(torch.sigmoid(beta * logits), generator=rng)
    return torch.bernoulli(
        torch.sigmoid((1 - beta) * base + beta * (h @ rbm.weight + rbm.visible_bias)), generator=rng
    )


@torch.no_grad()
def ais_log_z(
    rbm: RBM, base: torch.Tensor, steps: int, chains: int, generator: torch.Generator
) -> AISEstimate:
    """AIS estimate of log Z of `rbm` from the base-rate model of visible logits `base` (D,),
    with `steps` intermediate distributions and `chains` independent chains."""
    base = base.to(rbm.weight)
    schedule = betas(steps).tolist()
    probs = torch.sigmoid(base).expand(chains, -1)
    v = torch.bernoulli(probs, generator=generator)
    log_w = torch.zeros(chains, dtype=torch.float64, device=v.device)
    for previous, beta in itertools.pairwise(schedule):
        logits = rbm.hidden_logits(v)
        change = _log_p_star(rbm, v, logits, base, beta) - _log_p_star(
            rbm, v, logits, base, previous
        )
        log_w += change.double()
        if beta < 1:  # the last distribution's weights are complete: no move needed
            v = _transition(rbm, v, logits, base, beta, generator)
    # Z_0: the base-rate visible units' normaliser, times 2^H for hidden units without weights.
    log_z0 = F.softplus(base.double()).sum().item() + rbm.hidden * math.log(2)
    log_mean_w = (torch.logsumexp(log_w, 0) - math.log(chains)).item()
    ratios = torch.exp(log_w - log_w.max())
    se = (ratios.std() / (ratios.mean() * math.sqrt(chains))).item() if chains > 1 else math.inf
    return AISEstimate(log_z0 + log_mean_w, se, steps, chains)
