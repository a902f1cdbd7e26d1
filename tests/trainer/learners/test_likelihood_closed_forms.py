"""The report's likelihoods (trainer/evaluation/comparison.py's test_likelihood) of untrained
models equal closed forms computed here from the images alone: the flow at its identity
initialisation, and the DDPM whose U-Net starts by predicting zero noise."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from numpy.polynomial.hermite_e import hermegauss

from trainer.common import keys
from trainer.config.settings import default_config
from trainer.data.fashion_mnist import Split
from trainer.evaluation.comparison import test_likelihood as report_likelihood
from trainer.learners import make_learner
from trainer.models.flow import ALPHA
from trainer.registry import get_model

CPU = torch.device("cpu")
LEVELS = 256


def per_value_bits(nats: np.ndarray, images: torch.Tensor) -> float:
    """Bits/dim of `images` whose pixels of value v cost nats[v] each."""
    counts = np.bincount(images.numpy().ravel(), minlength=LEVELS)
    return float((counts * nats).sum() / counts.sum() / math.log(2))


def identity_flow_nats() -> np.ndarray:
    """Per 8-bit value v: E over u ~ U(0, 1) of -log p((v + u) / 256) under the identity flow,
    plus the log 256 of the 8-bit scale.

    The flow at initialisation is the logit preprocessing, z = logit(p), p = a + (1 - 2a) y,
    then a permutation: -log p(y) = z^2 / 2 + log(2 pi) / 2 - log(1 - 2a) + log p + log(1 - p).
    The expectation by the midpoint rule on 4,000 points per value.
    """
    u = (np.arange(4000) + 0.5) / 4000
    y = (np.arange(LEVELS)[:, None] + u) / LEVELS
    p = ALPHA + (1 - 2 * ALPHA) * y
    z = np.log(p / (1 - p))
    nll = z**2 / 2 + math.log(2 * math.pi) / 2 - math.log(1 - 2 * ALPHA) + np.log(p * (1 - p))
    return nll.mean(axis=1) + math.log(LEVELS)


def zero_noise_ddpm_nats(images: torch.Tensor) -> float:
    """E[bound] in nats per pixel, averaged over `images`, of a DDPM predicting eps = 0 with
    Ho et al.'s schedule (betas 1e-4..0.02 over 1,000 steps) and posterior variances.

    With eps_theta = 0 the model's mean of x_{t-1} misses q's by beta_t eps / sqrt(alpha_t
    (1 - abar_t)), so each L_{t-1} (t >= 2) is beta_t^2 / (2 beta~_t alpha_t (1 - abar_t)) per
    pixel whatever the image; L_T is KL(N(sqrt(abar_T) x0, 1 - abar_T) || N(0, 1)); L_0 is
    -log of the mass of x0's bin (half-width 1/255, the end bins open) under N(x0 + s eps,
    beta~_2) with s = sqrt(beta_1 / alpha_1), by Gauss-Hermite quadrature over eps.
    """
    betas = np.linspace(1e-4, 0.02, 1000)
    alphas, abar = 1 - betas, np.cumprod(1 - betas)
    abar_prev = np.concatenate([[1.0], abar[:-1]])
    tilde = betas * (1 - abar_prev) / (1 - abar)
    b, a, ab, ti = betas[1:], alphas[1:], abar[1:], tilde[1:]  # tilde[0] = 0: t = 1 is L_0's
    steps = (b**2 / (2 * ti * a * (1 - ab))).sum()
    x0 = images.double().numpy() / 127.5 - 1
    prior = 0.5 * (abar[-1] * x0**2 - abar[-1] - math.log(1 - abar[-1])).mean()
    eps, weights = hermegauss(40)
    weights = torch.tensor(weights / math.sqrt(2 * math.pi))
    shift = torch.tensor(np.abs(eps) * math.sqrt(betas[0] / alphas[0]))  # the bin is symmetric
    sigma, half = math.sqrt(tilde[1]), 1 / 255
    upper, lower = (torch.special.log_ndtr((edge - shift) / sigma) for edge in (half, -half))
    interior = -(weights * (upper + torch.log1p(-torch.exp(lower - upper)))).sum().item()
    signed = torch.tensor(eps * math.sqrt(betas[0] / alphas[0]))
    end = -(weights * torch.special.log_ndtr((half - signed) / sigma)).sum().item()
    at_ends = ((images == 0) | (images == 255)).double().mean().item()
    return steps + prior + at_ends * end + (1 - at_ends) * interior


def test_an_untrained_flow_gives_uniform_noise_the_bits_per_dim_computed_by_hand():
    learner = make_learner(default_config("flow", device="cpu"), CPU)  # the default network
    generator = torch.Generator().manual_seed(4)
    noise = torch.randint(0, 256, (64, 28, 28), dtype=torch.uint8, generator=generator)
    bits = learner.evaluate(Split(noise, torch.zeros(64, dtype=torch.long)))["bits_per_dim"]
    # 50,176 pixels: the Monte Carlo error of the mean is 0.004 bits; dropping the log 256
    # or the preprocessing's log-det would be off by bits
    assert bits == pytest.approx(per_value_bits(identity_flow_nats(), noise), abs=0.012)


def test_the_reports_exact_likelihood_of_an_untrained_flow_is_the_closed_form(tiny_data):
    learner = make_learner(default_config("flow", device="cpu"), CPU)
    found = report_likelihood(learner, get_model("flow"), None, tiny_data.test)
    expected = per_value_bits(identity_flow_nats(), tiny_data.test.images)
    assert found["kind"] == "exact" and found[keys.BITS_PER_DIM_SE] is None
    # 78,400 pixels with one dequantisation draw each: a Monte Carlo error of about 0.005 bits
    assert found[keys.BITS_PER_DIM] == pytest.approx(expected, abs=0.02)


@pytest.mark.usefixtures("small_networks")
def test_the_reports_bound_of_an_untrained_ddpm_is_the_closed_form(tiny_data, monkeypatch):
    monkeypatch.setattr("trainer.learners.ddpm.BOUND_IMAGES", len(tiny_data.test))  # them all
    learner = make_learner(default_config("ddpm", device="cpu"), CPU)
    found = report_likelihood(learner, get_model("ddpm"), None, tiny_data.test)
    expected = zero_noise_ddpm_nats(tiny_data.test.images) / math.log(2)
    assert found["kind"] == "bound"
    se = found[keys.BITS_PER_DIM_SE]
    # unbiased (stratified over t): within 4 of its own standard errors (measured: 0.10-0.12
    # bits on 17.2; six seeds averaged 17.18 against the closed form's 17.16)
    assert abs(found[keys.BITS_PER_DIM] - expected) < 4 * se and se < 0.02 * expected
