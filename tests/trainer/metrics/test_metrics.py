"""The metrics mean what they say: closed forms, unbiasedness, bounds and averages."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from trainer.common import keys
from trainer.config.settings import default_config
from trainer.data.fashion_mnist import CLASSES
from trainer.learners import make_learner
from trainer.metrics.distribution import (
    frechet_distance,
    kernel_distance,
    kth_neighbour_radii,
    manifold_metrics,
)
from trainer.metrics.reconstruction import (
    COUNT,
    PerImage,
    per_image_terms,
    summarize,
    worst_per_class,
)
from trainer.models.bits import bits_per_dim
from trainer.models.vae import BernoulliPixels, ConvVAE

GEN = torch.Generator().manual_seed(0)


def gaussian(n: int, mean: torch.Tensor, std: torch.Tensor) -> torch.Tensor:
    return mean + std * torch.randn(n, len(mean), generator=GEN, dtype=torch.float64)


def test_frechet_distance_of_a_set_with_itself_is_zero():
    features = gaussian(2000, torch.zeros(8), torch.ones(8))
    assert abs(frechet_distance(features, features)) < 1e-6


def test_frechet_distance_of_two_gaussians_matches_the_closed_form():
    """For diagonal covariances: |mu1 - mu2|^2 + sum (sigma1 - sigma2)^2."""
    mean_a, std_a = torch.zeros(4, dtype=torch.float64), torch.tensor([1.0, 2.0, 0.5, 1.0])
    mean_b, std_b = torch.tensor([1.0, 0.0, -1.0, 0.5]), torch.tensor([2.0, 1.0, 0.5, 3.0])
    expected = float((mean_a - mean_b).pow(2).sum() + (std_a - std_b).pow(2).sum())
    measured = frechet_distance(gaussian(200_000, mean_a, std_a), gaussian(200_000, mean_b, std_b))
    assert measured == pytest.approx(expected, rel=0.02)


def test_kernel_distance_is_unbiased_near_zero_for_one_distribution():
    a = gaussian(3000, torch.zeros(16), torch.ones(16))
    b = gaussian(3000, torch.zeros(16), torch.ones(16))
    same, same_std = kernel_distance(a, b, subsets=50, subset_size=500)
    assert abs(same) < 3 * same_std + 1e-3
    other, _ = kernel_distance(a, gaussian(3000, torch.ones(16), torch.ones(16)), 50, 500)
    assert other > 10 * max(abs(same), same_std)


def test_precision_recall_density_coverage_on_identical_and_disjoint_sets():
    real = gaussian(500, torch.zeros(4), torch.ones(4))
    same = manifold_metrics(real, real.clone(), k=3)
    assert same[keys.PRECISION] == same[keys.RECALL] == same[keys.COVERAGE] == 1.0
    assert same[keys.DENSITY] >= 1.0  # each point sits in its own ball and its neighbours'
    far = manifold_metrics(real, real + 100.0, k=3)
    assert far == {keys.PRECISION: 0.0, keys.RECALL: 0.0, keys.DENSITY: 0.0, keys.COVERAGE: 0.0}


def test_precision_and_recall_of_overlapping_sets_by_hand():
    """k = 1 on a line: every real ball has radius 1, both fake pairs too; the roles differ."""
    real = torch.arange(10.0)[:, None]  # 0, 1, ..., 9
    fake = torch.tensor([[0.5], [1.5], [20.0], [21.0]])
    metrics = manifold_metrics(real, fake, k=1)
    # Fake 0.5 and 1.5 lie in real balls, 20 and 21 do not; fake balls hold reals 0, 1 and 2.
    assert metrics["precision"] == 2 / 4 and metrics["recall"] == 3 / 10
    assert metrics["coverage"] == pytest.approx(3 / 10)  # real balls 0, 1, 2 hold a fake
    assert metrics["density"] == (2 + 2) / (1 * 4)  # 0.5 in balls 0 and 1; 1.5 in 1 and 2
    swapped = manifold_metrics(fake, real, k=1)
    assert (swapped["precision"], swapped["recall"]) == (3 / 10, 2 / 4)


def test_kth_neighbour_radius_excludes_the_point_itself():
    points = torch.tensor([[0.0], [1.0], [3.0], [6.0]])
    assert kth_neighbour_radii(points, 1).tolist() == [1.0, 1.0, 2.0, 3.0]


@settings(max_examples=40, deadline=None)
@given(
    size=st.integers(2, 40), k=st.integers(1, 3), chunk=st.integers(1, 50), seed=st.integers(0, 99)
)
def test_radii_do_not_depend_on_the_chunk_the_distances_are_computed_in(size, k, chunk, seed):
    # The chunk only bounds memory (distribution.CHUNK): every point's k-th neighbour must be
    # the one the whole distance matrix, sorted, names.
    points = torch.randn(size, 3, generator=torch.Generator().manual_seed(seed))
    k = min(k, size - 1)
    whole = torch.cdist(points, points).sort(dim=1).values[:, k]
    assert torch.allclose(kth_neighbour_radii(points, k, chunk=chunk), whole)


def _vae_learner(latent_dim: int = 4):
    return make_learner(default_config("vae", latent_dim=latent_dim), torch.device("cpu"))


def test_iwae_bound_is_tighter_than_the_elbo_and_grows_with_k(tiny_data):
    learner = _vae_learner()
    x = tiny_data.test.images[:60].unsqueeze(1).float() / 255
    labels = tiny_data.test.labels[:60]
    one, few, many = (per_image_terms(learner, x, labels, samples=k, seed=1) for k in (1, 5, 50))
    # k = 1: the IWAE bound is the one-sample ELBO, whose KL is estimated from that one draw
    assert one.iwae.mean() == pytest.approx(one.neg_elbo.mean(), rel=0.02)
    assert many.iwae.mean() < few.iwae.mean() < one.iwae.mean()  # tighter as k grows
    assert many.iwae.mean() < many.neg_elbo.mean()  # log p(x) >= IWAE >= ELBO


class TinyVAE(nn.Module):
    """A VAE with a 1-D latent and 12 Bernoulli pixels, whose log p(x) can be integrated.

    Its encoder is deliberately poor (too narrow and off-centre), so the ELBO is loose and
    the IWAE bound has a long way to tighten.
    """

    pixels = 12

    def __init__(self) -> None:
        super().__init__()
        generator = torch.Generator().manual_seed(0)
        self.register_buffer("w", 1.5 * torch.randn(self.pixels, generator=generator).double())
        self.register_buffer("b", 0.5 * torch.randn(self.pixels, generator=generator).double())

    def encode(self, x: torch.Tensor, labels=None) -> tuple[torch.Tensor, torch.Tensor]:
        mu = ((x - 0.5) * self.w).sum(dim=1, keepdim=True) / (self.w.pow(2).sum() / 4)
        return mu + 0.3, torch.full_like(mu, math.log(0.05))

    def decode(self, z: torch.Tensor, labels=None) -> torch.Tensor:
        return z * self.w + self.b

    # The real importance weights: ConvVAE's, on this model's encoder and Bernoulli decoder.
    posterior_draws = ConvVAE.posterior_draws
    nll = ConvVAE.nll
    likelihood = BernoulliPixels

    def reconstruct(self, x: torch.Tensor, labels=None) -> torch.Tensor:
        return torch.sigmoid(self.decode(self.encode(x)[0]))


class TinyLearner:
    """The learner interface per_image_terms uses, around TinyVAE."""

    def __init__(self, model: TinyVAE) -> None:
        self.model = model

    def posterior_draws(self, x, labels, samples, generator):
        return self.model.posterior_draws(x, samples, generator)

    def reconstruct(self, x, labels):
        return self.model.reconstruct(x)


def exact_nll(model: TinyVAE, x: torch.Tensor) -> float:
    """-log p(x) per image, integrating p(x|z) p(z) over z on a fine grid (the rectangle rule)."""
    z = torch.linspace(-12, 12, 48001, dtype=torch.float64)
    logits = model.decode(z[:, None])  # (grid, pixels)
    x = x[:, None]  # (images, 1, pixels)
    log_px_z = (x * F.logsigmoid(logits) + (1 - x) * F.logsigmoid(-logits)).sum(-1)
    log_pz = -0.5 * (z.pow(2) + math.log(2 * math.pi))
    log_px = torch.logsumexp(log_px_z + log_pz, dim=1) + math.log(z[1] - z[0])
    return -log_px.mean().item()


def test_iwae_stays_below_the_integrated_log_likelihood_and_approaches_it():
    model = TinyVAE()
    generator = torch.Generator().manual_seed(1)
    z = torch.randn(100, 1, generator=generator, dtype=torch.float64)
    x = torch.bernoulli(torch.sigmoid(model.decode(z)), generator=generator)
    exact = exact_nll(model, x)
    gaps = []
    for k in (1, 10, 100, 1000):
        labels = torch.zeros(len(x), dtype=torch.long)
        bounds = [
            per_image_terms(TinyLearner(model), x, labels, k, seed).iwae.mean() for seed in range(8)
        ]
        gaps.append(sum(bounds) / len(bounds) - exact)
    print(f"\n-log p(x) = {exact:.4f} nats; IWAE gaps at k = 1, 10, 100, 1000: {gaps}")
    assert all(gap > 0 for gap in gaps)  # a lower bound on log p(x): never above it
    assert gaps == sorted(gaps, reverse=True) and len(set(gaps)) == 4  # tighter with k
    assert gaps[-1] < 0.25 * gaps[0]


def test_per_class_errors_average_to_the_overall_error():
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 10, 337)
    errors = PerImage(*(rng.random(337) * scale for scale in (300, 20, 310, 0.1)))
    summary = summarize(errors, labels, CLASSES, samples=5, discrete=False)
    counts = sum(c[COUNT] for c in summary["per_class"].values())
    weighted = sum(c[keys.RECON] * c[COUNT] for c in summary["per_class"].values()) / counts
    assert counts == 337 and weighted == pytest.approx(summary["overall"][keys.RECON])
    overall = summary["overall"]
    assert overall[keys.BITS_PER_DIM] is None and overall[keys.IWAE_K] == 5
    worst = worst_per_class(errors, labels, count=2)
    for label, indices in worst.items():
        members = errors.recon[labels == label]
        assert errors.recon[indices[0]] == members.max() and len(indices) == 2


def test_the_mean_reconstruction_error_is_per_pixel(tiny_data):
    learner = _vae_learner(latent_dim=3)
    x = tiny_data.test.images[:20].unsqueeze(1).float() / 255
    errors = per_image_terms(learner, x, tiny_data.test.labels[:20], samples=2, batch_draws=14)
    assert errors.recon.shape == errors.mse.shape == errors.kl.shape == (20,)
    assert np.all(errors.recon > 0) and np.all((errors.mse >= 0) & (errors.mse <= 1))


def test_bits_per_dimension():
    assert bits_per_dim(784 * np.log(2)) == pytest.approx(1.0)


def test_a_seeded_kid_does_not_depend_on_the_global_random_stream():
    real, fake = torch.randn(300, 8), torch.randn(300, 8) + 0.1
    first = kernel_distance(real, fake, subsets=5, subset_size=100, seed=0)
    torch.rand(7)  # other work (the app's) draws from the global stream meanwhile
    assert kernel_distance(real, fake, subsets=5, subset_size=100, seed=0) == first
