"""Background jobs of the explorer's translation view (models whose entry `translates`): load a
snapshot's two test domains; translate a batch of test images one way and back."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from fmgen_gui.tasks import Report
from trainer.common.errors import raise_if_cancelled
from trainer.data.fashion_mnist import load_fashion_mnist
from trainer.learners.base import EVAL_BATCH
from trainer.learners.cycle_gan import DIRECTIONS
from trainer.registry import get_model
from trainer.runs.loading import load_learner


@dataclass(frozen=True)
class Domains:
    """What a load hands to the view: both domains' test images (uint8 (N, 28, 28)), their
    Fashion-MNIST classes and display names, from one epoch snapshot."""

    kind: str
    epoch: int
    names: tuple[str, str]
    images: tuple[np.ndarray, np.ndarray]
    labels: tuple[np.ndarray, np.ndarray]
    checkpoint: Path  # the epoch snapshot: each translation job loads its own copy of it

    def note(self) -> str:
        """The status line: 'CycleGAN of epoch 3: 1,000 Sneaker and 1,000 Ankle boot test …'."""
        counts = " and ".join(
            f"{len(images):,} {name}" for name, images in zip(self.names, self.images, strict=True)
        )
        return (
            f"{get_model(self.kind).label} of epoch {self.epoch}: {counts} test images. "
            "Click one to translate it and back."
        )


@dataclass(frozen=True)
class RoundTrip:
    """Test images x of one domain (uint8), their translation and its way back (floats in
    [0, 1], (N, 28, 28)), and each image's cycle error: the mean |back - x| per pixel in
    [0, 1] pixels (the term of Zhu et al. 2017, Eq. 2, on one image)."""

    direction: str
    indices: np.ndarray  # (N,) the images' places in their domain's test images
    images: np.ndarray
    there: np.ndarray
    back: np.ndarray
    errors: np.ndarray  # (N,)

    def spread(self) -> float | None:
        """For scale: the mean |x_i - x_{i+1}| per pixel between neighbouring test images of
        the batch (None for a single image)."""
        if len(self.images) < 2:
            return None
        x = self.images.astype(np.float32) / 255
        return float(np.abs(x[1:] - x[:-1]).mean())


def domains_job(kind: str, checkpoint_path: Path, data_dir: str | None):
    """Both test domains of model `kind`'s snapshot (the learner says what they are)."""

    def job(report: Report, cancel: threading.Event) -> Domains:
        report.progress(0.0, "loading the test images")
        data = load_fashion_mnist(data_dir, download=True, cancel=cancel)
        learner, checkpoint = load_learner(checkpoint_path, kind)
        test = learner.domain_test(data.test)
        return Domains(
            kind,
            checkpoint.epoch,
            learner.domains(),
            (test.a.numpy(), test.b.numpy()),
            (test.a_labels.numpy(), test.b_labels.numpy()),
            checkpoint_path,
        )

    return job


def round_trip_job(
    kind: str, checkpoint_path: Path, images: np.ndarray, indices: np.ndarray, direction: str
):
    """Translate `images` (uint8 (N, 28, 28)) by `direction` and back, with the job's own CPU
    copy of the model, a batch at a time (cancelled between batches)."""

    def job(report: Report, cancel: threading.Event) -> RoundTrip:
        report.progress(0.0, f"translating {len(images)} test images and back")
        learner, _ = load_learner(checkpoint_path, kind)
        there, back, errors = [], [], []
        for start in range(0, len(images), EVAL_BATCH):
            raise_if_cancelled(cancel)
            batch = torch.from_numpy(images[start : start + EVAL_BATCH])
            with torch.no_grad():
                one_way, round_trip = learner.cycle(batch, direction)
                x = learner.unit(batch)
            there.append(one_way[:, 0].cpu().numpy())
            back.append(round_trip[:, 0].cpu().numpy())
            errors.append((round_trip - x).abs().mean(dim=(1, 2, 3)).cpu().numpy())
            report.progress(min(start + EVAL_BATCH, len(images)) / len(images), "translating")
        return RoundTrip(
            direction,
            indices,
            images,
            np.concatenate(there),
            np.concatenate(back),
            np.concatenate(errors),
        )

    return job


def stage_names(direction: str, names: tuple[str, str]) -> tuple[str, str, str]:
    """What each row of a round trip shows: x, its translation, and the way back."""
    source, target = names if direction == DIRECTIONS[0] else names[::-1]
    there, back = ("G(x)", "F(G(x))") if direction == DIRECTIONS[0] else ("F(x)", "G(F(x))")
    return f"x: {source}", f"{there}: as {target}", f"{back}: back to {source}"


def cycle_words(trip: RoundTrip, column: int) -> str:
    """The cycle error of image `column` of `trip` in words, set beside the distance between
    two different test images so that the number has a scale."""
    error, back = trip.errors[column], stage_names(trip.direction, ("A", "B"))[2].split(":")[0]
    words = (
        f"Cycle error |{back} - x|: {error:.3f} per pixel on average, "
        f"{error:.1%} of the range from black to white."
    )
    spread = trip.spread()
    if spread is None:
        return words
    nearer = "closer to" if error < spread else "no closer to"
    return (
        f"{words} For scale, neighbouring test images of the strip differ by {spread:.3f} per "
        f"pixel: the round trip is {nearer} x than another test image is."
    )
