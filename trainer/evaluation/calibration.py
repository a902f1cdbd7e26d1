"""The calibration rows of an evaluation: what real images and noise score against the test set.

They depend on the data set, the classifier and the sample count only, never on a run, so an
evaluation that adds runs keeps them.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import torch

from trainer.common.errors import raise_if_cancelled
from trainer.common.pixels import to_unit
from trainer.data.fashion_mnist import FashionMNIST
from trainer.metrics.classifier import FashionClassifier
from trainer.metrics.distribution import Features, compare, describe
from trainer.runs.metrics_json import CALIBRATION_FLOOR, CALIBRATION_NOISE


def calibrate(
    classifier: FashionClassifier,
    data: FashionMNIST,
    real: Features,
    count: int,
    neighbours_seed: tuple[int, int],  # EvaluationSettings' pr_k and seed
    progress: Callable[[float], None] = lambda fraction: None,
    cancel: threading.Event | None = None,
) -> dict:
    """The floor (real training images) and the ceiling (uniform noise) of every metric."""
    pr_k, seed = neighbours_seed
    rng = torch.Generator().manual_seed(seed)
    train = data.train.images[torch.randperm(len(data.train), generator=rng)[:count]]
    noise = torch.rand(count, 1, 28, 28, generator=rng)
    rows = {CALIBRATION_FLOOR: to_unit(train), CALIBRATION_NOISE: noise}
    result = {}
    for done, (name, images) in enumerate(rows.items()):
        progress(done / len(rows))
        raise_if_cancelled(cancel)
        features = describe(classifier, images, cancel)
        result[name] = compare(real, features, pr_k, cancel, seed)
    progress(1.0)
    return result
