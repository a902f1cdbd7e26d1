"""The explorer's Qt-free core: encoded test images, and decoding along a latent path."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch

from trainer.classifier import FashionClassifier, probabilities
from trainer.data import CLASSES, Split
from trainer.latent import Projection, encode_means, fit_projection, interpolate, nearest_distances

Decoder = Callable[[torch.Tensor], torch.Tensor]  # codes (N, D) -> images (N, 1, 28, 28) in [0, 1]
OVERSHOOT = 0.5  # how far past A and B the path goes when overshooting


@dataclass(frozen=True)
class LatentAtlas:
    """The test images with their posterior means and where those fall on the 2-D map."""

    images: np.ndarray  # (N, 28, 28) uint8
    labels: np.ndarray  # (N,)
    codes: np.ndarray  # (N, D)
    projection: Projection
    points: np.ndarray  # (N, 2)
    classes: tuple[str, ...] = CLASSES

    @classmethod
    def build(
        cls,
        encode: Callable[[torch.Tensor], torch.Tensor],
        split: Split,
        progress: Callable[[float], None] | None = None,
        cancel: threading.Event | None = None,
    ) -> LatentAtlas:
        """Encode every image of `split` and fit the map."""
        codes = encode_means(encode, split.images, progress=progress, cancel=cancel)
        projection = fit_projection(codes)
        return cls(split.images.numpy(), split.labels.numpy(), codes, projection, projection(codes))

    def indices_of(self, label: int) -> np.ndarray:
        """Indices of the images of one class."""
        return np.flatnonzero(self.labels == label)


def random_pair(
    labels: np.ndarray, class_a: int, class_b: int, rng: np.random.Generator
) -> tuple[int, int]:
    """Two different images: one of `class_a`, one of `class_b` (the same class is allowed)."""
    first = int(rng.choice(np.flatnonzero(labels == class_a)))
    others = np.flatnonzero(labels == class_b)
    others = others[others != first]
    return first, int(rng.choice(others))


def path_ts(steps: int, overshoot: bool = False) -> np.ndarray:
    """`steps` evenly spaced parameters from A (0) to B (1), or past both ends."""
    reach = OVERSHOOT if overshoot else 0.0
    return np.linspace(-reach, 1 + reach, steps)


@dataclass(frozen=True)
class Strip:
    """Decoded images along a path, and how they look to the classifier and to the data."""

    ts: np.ndarray  # (n,)
    codes: np.ndarray  # (n, D)
    images: np.ndarray  # (n, 28, 28) float in [0, 1]
    probabilities: np.ndarray | None  # (n, 10)
    distances: np.ndarray | None  # (n,) L2 to the nearest real test image


class Interpolator:
    """Decodes between two codes; judges the images with the classifier and the test set."""

    def __init__(
        self,
        decode: Decoder,
        classifier: FashionClassifier | None = None,
        reference: np.ndarray | None = None,  # (M, 28, 28) uint8 real images
    ) -> None:
        self.decode = decode
        self.classifier = classifier
        self.reference = None if reference is None else reference.reshape(len(reference), -1) / 255

    @torch.no_grad()
    def images(self, codes: np.ndarray) -> np.ndarray:
        """Decoded images (n, 28, 28) in [0, 1] of codes (n, D)."""
        return self.decode(torch.from_numpy(np.asarray(codes, np.float32)))[:, 0].numpy()

    def image_at(self, a: np.ndarray, b: np.ndarray, t: float, method: str) -> np.ndarray:
        """The decoded image at parameter `t` of the path from `a` to `b`."""
        return self.images(interpolate(a, b, np.array([t]), method))[0]

    def strip(
        self, a: np.ndarray, b: np.ndarray, steps: int, method: str, overshoot: bool = False
    ) -> Strip:
        """`steps` decoded images from A to B, with class probabilities and nearest distances."""
        ts = path_ts(steps, overshoot)
        codes = interpolate(a, b, ts, method)
        images = self.images(codes)
        probs = None
        if self.classifier is not None:
            probs = probabilities(self.classifier, torch.from_numpy(images[:, None]))
        distances = None
        if self.reference is not None:
            distances, _ = nearest_distances(images.reshape(len(images), -1), self.reference)
        return Strip(ts, codes, images, probs, distances)


def to_uint8(images: np.ndarray) -> np.ndarray:
    """Float images in [0, 1] -> uint8."""
    return (np.clip(images, 0, 1) * 255).round().astype(np.uint8)
