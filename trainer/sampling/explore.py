"""The explorer's Qt-free core: encoded test images, and decoding along a latent path."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch

from trainer.data.fashion_mnist import CLASSES, Split
from trainer.metrics.classifier import FashionClassifier, probabilities
from trainer.sampling.latent import (
    Projection,
    encode_means,
    fit_projection,
    interpolate,
    nearest_distances,
)

# codes (N, D) [and class weights (N, 10), conditional models] -> images (N, 1, 28, 28) in [0, 1]
Decoder = Callable[..., torch.Tensor]
OVERSHOOT = 0.5  # how far past A and B the path goes when overshooting
SCRUB_FRAMES = 40  # frames of an animation from A to B (and as many back, ping-pong)
Classes = tuple[int, int] | None  # the conditioning classes of A and B (conditional models)


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
        encode: Callable[..., torch.Tensor],
        split: Split,
        progress: Callable[[float], None] | None = None,
        cancel: threading.Event | None = None,
        with_labels: bool = False,
    ) -> LatentAtlas:
        """Encode every image of `split` (with its label: `encode(x, y)`) and fit the map."""
        labels = split.labels if with_labels else None
        codes = encode_means(encode, split.images, progress=progress, cancel=cancel, labels=labels)
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


def class_weights(labels: np.ndarray | None) -> np.ndarray | None:
    """Class labels (n,) as a conditional model's input, one-hot (n, 10); None stays None."""
    return None if labels is None else np.eye(len(CLASSES), dtype=np.float32)[labels]


def class_mix(ts: np.ndarray, classes: Classes) -> np.ndarray | None:
    """Class weights (n, 10) mixed linearly from A's one-hot (t = 0) to B's (t = 1).

    This is the conditioning input of a conditional model along a path (learners take such
    soft labels, see `Learner.sample_images`). Past the ends it stays at A's or B's class:
    weights outside the simplex are no mixture of classes. None when unconditional.
    """
    if classes is None:
        return None
    weight = np.clip(np.asarray(ts, np.float32), 0, 1)[:, None]
    a, b = class_weights(np.array(classes))
    return (1 - weight) * a + weight * b


@dataclass(frozen=True)
class Strip:
    """Decoded images along a path, and how they look to the classifier and to the data."""

    ts: np.ndarray  # (n,)
    codes: np.ndarray  # (n, D)
    images: np.ndarray  # (n, 28, 28) float in [0, 1]
    probabilities: np.ndarray | None  # (n, 10)
    distances: np.ndarray | None  # (n,) L2 to the nearest real test image


@dataclass(frozen=True)
class ClassRow:
    """One latent code decoded with every class: the same "style" as each garment."""

    images: np.ndarray  # (10, 28, 28) float in [0, 1], image k conditioned on class k
    probabilities: np.ndarray | None  # (10, 10) the classifier's view of each

    def agreement(self) -> np.ndarray | None:
        """P(class k) the classifier gives image k: how well each class came out."""
        return None if self.probabilities is None else np.diag(self.probabilities).copy()


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
    def images(self, codes: np.ndarray, conditions: np.ndarray | None = None) -> np.ndarray:
        """Decoded images (n, 28, 28) in [0, 1] of codes (n, D) [and class weights (n, 10)]."""
        z = torch.from_numpy(np.asarray(codes, np.float32))
        if conditions is None:
            return self.decode(z)[:, 0].numpy()
        return self.decode(z, torch.from_numpy(np.asarray(conditions, np.float32)))[:, 0].numpy()

    def image_at(
        self, a: np.ndarray, b: np.ndarray, t: float, method: str, classes: Classes = None
    ) -> np.ndarray:
        """The decoded image at parameter `t` of the path from `a` to `b`."""
        ts = np.array([t])
        return self.images(interpolate(a, b, ts, method), class_mix(ts, classes))[0]

    def strip(
        self,
        a: np.ndarray,
        b: np.ndarray,
        steps: int,
        method: str,
        overshoot: bool = False,
        classes: Classes = None,
    ) -> Strip:
        """`steps` decoded images from A to B, with class probabilities and nearest distances.

        `classes` (conditional models): A's and B's classes; the conditioning input moves
        linearly from one to the other along with the code.
        """
        ts = path_ts(steps, overshoot)
        codes = interpolate(a, b, ts, method)
        return self.judged(ts, codes, self.images(codes, class_mix(ts, classes)))

    def judged(self, ts: np.ndarray, codes: np.ndarray, images: np.ndarray) -> Strip:
        """The strip of images (n, 28, 28) decoded elsewhere (a slow decoder's background
        job), with the classifier's probabilities and the nearest test images' distances."""
        distances = None
        if self.reference is not None:
            distances, _ = nearest_distances(images.reshape(len(images), -1), self.reference)
        return Strip(ts, codes, images, self.judge(images), distances)

    def scrub(
        self,
        a: np.ndarray,
        b: np.ndarray,
        method: str,
        overshoot: bool = False,
        classes: Classes = None,
        frames: int = SCRUB_FRAMES,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Parameters and images of a smooth looping animation: A to B in `frames` steps, then
        back again without repeating either end (ping-pong)."""
        ts = path_ts(frames, overshoot)
        images = self.images(interpolate(a, b, ts, method), class_mix(ts, classes))
        order = ping_pong(frames)
        return ts[order], images[order]

    def class_row(self, code: np.ndarray) -> ClassRow:
        """`code` decoded with each class in turn (conditional models)."""
        count = len(CLASSES)
        images = self.images(np.repeat(code[None], count, 0), np.eye(count, dtype=np.float32))
        return ClassRow(images, self.judge(images))

    def judge(self, images: np.ndarray) -> np.ndarray | None:
        """The classifier's probabilities (n, 10) for images (n, 28, 28); None without one."""
        if self.classifier is None:
            return None
        return probabilities(self.classifier, torch.from_numpy(images[:, None]))


def ping_pong(frames: int) -> np.ndarray:
    """Frame indices of a loop there and back: 0..n-1, then n-2..1 (neither end twice)."""
    return np.r_[np.arange(frames), np.arange(frames - 2, 0, -1)]
