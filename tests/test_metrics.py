"""The metrics mean what they say: closed forms, unbiasedness, bounds and averages."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from trainer.data import CLASSES
from trainer.metrics.distribution import (
    frechet_distance,
    kernel_distance,
    kth_neighbour_radii,
    manifold_metrics,
)
from trainer.metrics.reconstruction import (
    PerImage,
    bits_per_dim,
    likelihood_bounds,
    reconstruction_errors,
    summarize,
    worst_per_class,
)
from trainer.models.vae import ConvVAE

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
    assert same["precision"] == same["recall"] == same["coverage"] == 1.0
    assert same["density"] >= 1.0  # each point sits in its own ball and its neighbours'
    far = manifold_metrics(real, real + 100.0, k=3)
    assert far == {"precision": 0.0, "recall": 0.0, "density": 0.0, "coverage": 0.0}


def test_kth_neighbour_radius_excludes_the_point_itself():
    points = torch.tensor([[0.0], [1.0], [3.0], [6.0]])
    assert kth_neighbour_radii(points, 1).tolist() == [1.0, 1.0, 2.0, 3.0]


def test_iwae_bound_is_tighter_than_the_elbo_and_grows_with_k(tiny_data):
    torch.manual_seed(0)
    vae = ConvVAE(latent_dim=4)
    x = tiny_data.test.images[:60].unsqueeze(1).float() / 255
    one = likelihood_bounds(vae, x, samples=1, seed=1)
    few = likelihood_bounds(vae, x, samples=5, seed=1)
    many = likelihood_bounds(vae, x, samples=50, seed=1)
    assert one["iwae_nll"] == pytest.approx(one["neg_elbo"])  # k = 1 is the ELBO
    for bounds in (few, many):
        assert bounds["iwae_nll"] <= bounds["neg_elbo"]  # log p(x) >= IWAE >= ELBO
    assert many["iwae_nll"] <= few["iwae_nll"] <= one["iwae_nll"]


def test_per_class_errors_average_to_the_overall_error():
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 10, 337)
    errors = PerImage(rng.random(337) * 300, rng.random(337) / 10, rng.random(337) * 20)
    summary = summarize(errors, labels, CLASSES)
    counts = sum(c["count"] for c in summary["per_class"].values())
    weighted = sum(c["bce"] * c["count"] for c in summary["per_class"].values()) / counts
    assert counts == 337 and weighted == pytest.approx(summary["overall"]["bce"])
    worst = worst_per_class(errors, labels, count=2)
    for label, indices in worst.items():
        members = errors.bce[labels == label]
        assert errors.bce[indices[0]] == members.max() and len(indices) == 2


def test_reconstruction_errors_of_a_model(tiny_data):
    vae = ConvVAE(latent_dim=3)
    x = tiny_data.test.images[:20].unsqueeze(1).float() / 255
    errors = reconstruction_errors(vae, x, batch=7)
    assert errors.bce.shape == errors.mse.shape == errors.kl.shape == (20,)
    assert np.all(errors.bce > 0) and np.all((errors.mse >= 0) & (errors.mse <= 1))


def test_bits_per_dimension():
    assert bits_per_dim(784 * np.log(2)) == pytest.approx(1.0)
