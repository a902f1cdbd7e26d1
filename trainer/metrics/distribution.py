"""How close a set of samples is to the test set, in the classifier's feature space."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch import nn

from trainer.common import keys
from trainer.common.errors import raise_if_cancelled
from trainer.config.precision import full_precision
from trainer.metrics.classifier import FashionClassifier, batched


@dataclass(frozen=True)
class Features:
    """Classifier features (N, 128) and class probabilities (N, 10) of one image set."""

    features: torch.Tensor
    probabilities: torch.Tensor


@torch.no_grad()
@full_precision()
def describe(
    classifier: FashionClassifier,
    images: torch.Tensor,
    cancel: threading.Event | None = None,
    progress: Callable[[float], None] | None = None,
) -> Features:
    """Features and probabilities of float images (N, 1, 28, 28) in [0, 1]; `progress` gets
    the share of the images done."""
    classifier.eval()
    features = batched(classifier.features, images.float(), cancel=cancel, progress=progress)
    return Features(features, torch.softmax(classifier.head(features), dim=1))


class _Precomputed(nn.Identity):
    """torchmetrics' 'custom feature module': our features are computed once, upstream."""

    def __init__(self, num_features: int) -> None:
        super().__init__()
        self.num_features = num_features


def frechet_distance(real: torch.Tensor, fake: torch.Tensor) -> float:
    """FID in the classifier's feature space (torchmetrics; the closed form for Gaussians)."""
    # Imported here: torchmetrics takes 1.7 s to import, which the app's start-up must not pay.
    from torchmetrics.image.fid import FrechetInceptionDistance

    metric = FrechetInceptionDistance(feature=_Precomputed(real.shape[1]), normalize=True)
    metric.update(real.double(), real=True)
    metric.update(fake.double(), real=False)
    return float(metric.compute())


def kernel_distance(
    real: torch.Tensor,
    fake: torch.Tensor,
    subsets: int = 50,
    subset_size: int = 1000,
    cancel: threading.Event | None = None,
    seed: int | None = None,
) -> tuple[float, float]:
    """KID (Binkowski et al. 2018): unbiased polynomial-kernel MMD^2; mean, std over subsets.

    The loop of torchmetrics' KernelInceptionDistance.compute (same kernel; without `seed`,
    the same draws from the global stream), written out so that each subset can check
    `cancel`: the whole computation takes seconds on two cores. With `seed` the subsets are
    drawn from their own stream, so the report's "Reproduce:" line gives the same KID in a
    process (the app) where other work draws from the global stream.
    """
    from torchmetrics.image.kid import poly_mmd  # see frechet_distance

    real, fake = real.double(), fake.double()
    size = min(subset_size, len(real), len(fake))
    generator = None if seed is None else torch.Generator().manual_seed(seed)
    scores = []
    for _ in range(subsets):
        raise_if_cancelled(cancel)
        real_subset = real[torch.randperm(len(real), generator=generator)[:size]]
        fake_subset = fake[torch.randperm(len(fake), generator=generator)[:size]]
        scores.append(poly_mmd(real_subset, fake_subset, degree=3, gamma=None, coef=1.0))
    kid = torch.stack(scores)
    return float(kid.mean()), float(kid.std(unbiased=False))


# Rows of a distance matrix computed at once. A chunk's distances to the 10,000 test features
# and kthvalue's temporaries (a copy and int64 indices) are alive together: at 2048 rows they
# held 324 MB at the k-NN metrics' peak, at 256 rows 46 MB, for about a second more on 2,000
# samples (benchmarks/distance_memory.py; benchmarks/results/distance_memory.txt).
CHUNK = 256


def kth_neighbour_radii(
    features: torch.Tensor, k: int, chunk: int = CHUNK, cancel: threading.Event | None = None
) -> torch.Tensor:
    """Distance from each point to its k-th nearest other point in the same set."""
    radii = []
    for start in range(0, len(features), chunk):
        raise_if_cancelled(cancel)
        distances = torch.cdist(features[start : start + chunk], features)
        radii.append(distances.kthvalue(k + 1, dim=1).values)  # +1: the point itself is 0 away
    return torch.cat(radii)


def _inside(
    queries: torch.Tensor,
    support: torch.Tensor,
    radii: torch.Tensor,
    cancel: threading.Event | None,
    chunk: int = CHUNK,
):
    """Yield, chunk by chunk, which support balls (k-NN radii) contain each query."""
    for start in range(0, len(queries), chunk):
        raise_if_cancelled(cancel)
        yield torch.cdist(queries[start : start + chunk], support) <= radii[None, :]


def manifold_metrics(
    real: torch.Tensor,
    fake: torch.Tensor,
    k: int = 3,
    cancel: threading.Event | None = None,
    chunk: int = CHUNK,
) -> dict[str, float]:
    """Precision and recall (Kynkaanniemi et al. 2019), density and coverage (Naeem et al. 2020).

    Precision: share of samples inside some real k-NN ball (quality); recall: share of real
    points inside some sample's ball (variety). One outlier's large ball can swallow many bad
    samples, so density (how many real balls hold a sample, on average, over k) and coverage
    (share of real balls that hold any sample) are given as the outlier-robust versions.
    `chunk`: see CHUNK.
    """
    real_radii = kth_neighbour_radii(real, k, chunk, cancel)
    fake_radii = kth_neighbour_radii(fake, k, chunk, cancel)
    in_some_ball, balls_held, covered = 0, 0, torch.zeros(len(real), dtype=torch.bool)
    for inside in _inside(fake, real, real_radii, cancel, chunk):
        in_some_ball += inside.any(dim=1).sum().item()
        balls_held += inside.sum().item()
        covered |= inside.any(dim=0)
    recalled = sum(
        inside.any(dim=1).sum().item() for inside in _inside(real, fake, fake_radii, cancel, chunk)
    )
    return {
        keys.PRECISION: in_some_ball / len(fake),
        keys.RECALL: recalled / len(real),
        keys.DENSITY: balls_held / (k * len(fake)),
        keys.COVERAGE: covered.float().mean().item(),
    }


def compare(
    real: Features,
    fake: Features,
    k: int = 3,
    cancel: threading.Event | None = None,
    seed: int | None = None,
) -> dict:
    """Every distribution metric of `fake` against `real`, by metric key (trainer.common.keys);
    `seed`: KID's subsets (see kernel_distance)."""
    kid, kid_std = kernel_distance(real.features, fake.features, cancel=cancel, seed=seed)
    predicted = fake.probabilities.argmax(dim=1)
    histogram = torch.bincount(predicted, minlength=fake.probabilities.shape[1]).float()
    return {
        keys.FID: frechet_distance(real.features, fake.features),
        keys.KID: kid,
        keys.KID_STD: kid_std,
        **manifold_metrics(real.features, fake.features, k, cancel),
        # share of samples the classifier puts in each class: collapse and skew show here
        keys.CLASS_HISTOGRAM: [round(float(v), 4) for v in histogram / len(predicted)],
        # mean top-class probability: how recognisable the samples are to the classifier
        keys.CONFIDENCE: float(fake.probabilities.max(dim=1).values.mean()),
    }
