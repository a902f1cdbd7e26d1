"""The VAE's pixel likelihoods: the discretised logistic over 8-bit values, and bits/dim."""

from __future__ import annotations

import math

import pytest
import torch

from trainer.common.errors import ConfigError
from trainer.config.settings import DECODERS, default_config
from trainer.learners import make_learner
from trainer.metrics.reconstruction import per_image_terms
from trainer.models.bits import dequantized_bits_per_dim, vae_bits_per_dim
from trainer.models.discretized import discretized_gaussian_log_prob, discretized_logistic_log_prob
from trainer.models.vae import PIXEL_LIKELIHOODS, ConvVAE

VALUES = (torch.arange(256, dtype=torch.float64) / 255).reshape(256, 1)  # every 8-bit value


def random_parameters(count: int = 2000, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """Locations across and beyond [0, 1], log-scales from far below a bin to far above."""
    generator = torch.Generator().manual_seed(seed)
    location = torch.rand(1, count, generator=generator, dtype=torch.float64) * 1.6 - 0.3
    log_scale = torch.rand(1, count, generator=generator, dtype=torch.float64) * 9 - 8
    return location, log_scale


@pytest.mark.parametrize("log_prob", [discretized_logistic_log_prob, discretized_gaussian_log_prob])
@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
def test_the_256_probabilities_of_a_pixel_sum_to_one(log_prob, dtype):
    location, log_scale = random_parameters()
    total = log_prob(VALUES.to(dtype), location.to(dtype), log_scale.to(dtype)).exp().sum(dim=0)
    assert torch.allclose(
        total, torch.ones_like(total), atol=1e-5 if dtype == torch.float32 else 1e-9
    )


def test_logistic_bins_match_the_textbook_formula():
    """P(k) = sigmoid((x + h - mu) / s) - sigmoid((x - h - mu) / s), 0 and 255 open-ended."""
    mu, s, h = 0.4, 0.05, 0.5 / 255
    x = VALUES[:, 0]
    upper = torch.where(x > 1 - h, torch.ones(()), torch.sigmoid((x + h - mu) / s))
    lower = torch.where(x < h, torch.zeros(()), torch.sigmoid((x - h - mu) / s))
    mean, log_scale = torch.full_like(x, mu), torch.full_like(x, math.log(s))
    ours = discretized_logistic_log_prob(x, mean, log_scale).exp()
    assert torch.allclose(ours, upper - lower, rtol=1e-9, atol=1e-15)


def test_the_config_names_every_pixel_likelihood():
    assert set(DECODERS) == set(PIXEL_LIKELIHOODS)


def test_the_decoder_option_is_checked():
    assert default_config("vae", decoder="logistic").decoder == "logistic"
    with pytest.raises(ConfigError, match="Decoder: 'gaussian' is not one of bernoulli, logistic"):
        default_config("vae", decoder="gaussian")
    with pytest.raises(ConfigError, match="binarised pixels need bernoulli"):
        default_config("vae", decoder="logistic", binarize=True)
    with pytest.raises(ConfigError, match="Decoder: does not apply to the GAN"):
        default_config("gan", decoder="logistic")


@pytest.mark.parametrize("model", ["vae", "cvae"])
def test_logistic_decoders_give_8_bit_nats_and_bits_per_dim(tiny_data, model):
    config = default_config(model, latent_dim=3, decoder="logistic", device="cpu")
    learner = make_learner(config, torch.device("cpu"))
    vae = learner.model.eval()
    x, labels = tiny_data.test.images[:6].unsqueeze(1).float() / 255, tiny_data.test.labels[:6]
    y = learner.condition(labels, len(x))
    params = vae.decode(vae.encode(x, y)[0], y)
    assert params.shape == (6, 2, 28, 28)
    nats = vae.nll(params, x)
    assert nats.shape == (6,) and (nats > 0).all()  # a probability of discrete values: <= 1
    means = vae.pixel_means(params)
    assert means.shape == (6, 1, 28, 28) and means.min() >= 0 and means.max() <= 1
    terms = per_image_terms(learner, x, labels, samples=8)
    # the ELBO's KL is the closed form, IWAE's the draws': equal only up to Monte Carlo error
    assert terms.iwae.mean() <= terms.neg_elbo.mean() + 0.1
    assert learner.discrete_likelihood
    bits = vae_bits_per_dim(float(terms.iwae.mean()), vae.likelihood.eight_bit)
    assert bits == pytest.approx(terms.iwae.mean() / (784 * math.log(2)))
    assert vae_bits_per_dim(100.0, ConvVAE(latent_dim=3).likelihood.eight_bit) is None


def test_bits_per_dim_of_a_continuous_density():
    # the uniform density on [0, 1]^D has -log p = 0: every 8-bit value equally likely, 8 bits
    assert dequantized_bits_per_dim(0.0) == pytest.approx(8.0)
    assert dequantized_bits_per_dim(-784 * math.log(2)) == pytest.approx(7.0)


def test_logistic_vae_learns_and_reports_its_bound_in_bits(tiny_data):
    config = default_config("vae", latent_dim=4, seed=3, decoder="logistic", device="cpu")
    learner = make_learner(config, torch.device("cpu"))
    batch = tiny_data.train.images[:32]
    losses = [learner.train_step(batch)["loss"] for _ in range(20)]
    assert sum(losses[-3:]) / 3 < 0.9 * sum(losses[:3]) / 3  # ~5,400 nats -> ~4,500
    metrics = learner.evaluate(tiny_data.test)
    assert set(metrics) == {"recon", "kl", "mse", "neg_elbo", "bits_per_dim"}
    assert metrics["bits_per_dim"] == pytest.approx(metrics["neg_elbo"] / (784 * math.log(2)))
