"""Generated samples of any registered model, as a folder of PNGs or one .npz file."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from trainer.common.errors import FmgenError, raise_if_cancelled
from trainer.common.files import atomic_path
from trainer.common.grids import save_grid
from trainer.common.pixels import to_uint8
from trainer.data.fashion_mnist import CLASSES
from trainer.learners import Learner
from trainer.registry import get_model

MAX_SAMPLES = 100_000
BATCH = 1000
NO_LABEL = -1  # the label an unconditional model's sample gets in the .npz


@dataclass(frozen=True)
class SampleRequest:
    """What to generate: how many, of which class (conditional models), from which seed."""

    count: int
    label: int | None = None  # None: conditional models cycle through the ten classes
    seed: int = 0


def parse_class(text: str) -> int:
    """A class index from '6', 'shirt' or 'T-shirt/top'; FmgenError names the choices."""
    names = {name.lower(): k for k, name in enumerate(CLASSES)}
    key = str(text).strip().lower()
    if key.isdigit() and int(key) < len(CLASSES):
        return int(key)
    if key in names:
        return names[key]
    choices = ", ".join(f"{k} {name}" for k, name in enumerate(CLASSES))
    raise FmgenError(f"unknown class {text!r}: choose one of {choices}")


def check_request(model: str, request: SampleRequest) -> None:
    """Refuse impossible requests before any work: a bad count, a class for a model without."""
    if not 1 <= request.count <= MAX_SAMPLES:
        raise FmgenError(f"the number of samples must be 1..{MAX_SAMPLES:,}, not {request.count}")
    spec = get_model(model)
    if request.label is not None and not spec.conditional:
        raise FmgenError(
            f"the {spec.label} is not conditional: it cannot generate a chosen class "
            "(leave out the class)"
        )
    if request.label is not None and not 0 <= request.label < len(CLASSES):
        raise FmgenError(f"unknown class {request.label}: choose 0..{len(CLASSES) - 1}")


def request_labels(model: str, request: SampleRequest) -> np.ndarray | None:
    """The conditioning class of each sample; None for unconditional models."""
    if not get_model(model).conditional:
        return None
    if request.label is not None:
        return np.full(request.count, request.label, np.int64)
    return np.arange(request.count, dtype=np.int64) % len(CLASSES)


def batch_size(model: str) -> int:
    """Samples per call of `model`: multi-step samplers get smaller batches, so cancel and
    progress come as often."""
    return max(1, BATCH // get_model(model).sample_cost)


def _batch_progress(
    progress: Callable[[float], None] | None, start: int, size: int, count: int
) -> Callable[[float], None] | None:
    """`progress` of all `count` samples, for the share done of the batch at `start`."""
    if progress is None:
        return None
    return lambda fraction: progress((start + fraction * size) / count)


def _step_check(
    within: Callable[[float], None] | None, cancel: threading.Event | None
) -> Callable[[float], None]:
    """What a sampler's steps report to (`Learner.reporting`): `within`, after checking
    `cancel`, so that a multi-step sampler (a DDPM's batch takes seconds on a CPU) stops within
    one step of a cancel, not one batch."""

    def step(fraction: float) -> None:
        raise_if_cancelled(cancel)
        if within:
            within(fraction)

    return step


@torch.no_grad()
def generate(
    learner: Learner,
    count: int,
    seed: int,
    labels: np.ndarray | None = None,
    cancel: threading.Event | None = None,
    progress: Callable[[float], None] | None = None,
) -> torch.Tensor:
    """`count` samples (N, 1, 28, 28) in [0, 1] from prior draws of one seeded CPU stream."""
    generator = torch.Generator().manual_seed(seed)
    z = torch.randn(count, learner.config.latent_dim, generator=generator)
    size = batch_size(learner.config.model)
    batches = []
    for start in range(0, count, size):
        raise_if_cancelled(cancel)
        given = () if labels is None else (torch.from_numpy(labels[start : start + size]),)
        part = z[start : start + size]
        # within the batch too: one of a DDPM's takes 50 network calls (many seconds on a CPU)
        within = _batch_progress(progress, start, len(part), count)
        with learner.reporting(_step_check(within, cancel)):
            batch = learner.sample_images(part.to(learner.device), *given)
        batches.append(batch.float().cpu())
        if within:
            within(1.0)
    return torch.cat(batches)


def sample(
    learner: Learner, request: SampleRequest, cancel: threading.Event | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """uint8 images (N, 28, 28) and their labels (the class asked for, or NO_LABEL)."""
    model = learner.config.model
    check_request(model, request)
    labels = request_labels(model, request)
    images = generate(learner, request.count, request.seed, labels, cancel)
    kept = labels if labels is not None else np.full(request.count, NO_LABEL, np.int64)
    return to_uint8(images[:, 0].numpy()), kept


def check_output(path: Path) -> None:
    """A .npz file, or a folder (no suffix) that is new or empty."""
    if path.suffix.lower() not in ("", ".npz"):
        raise FmgenError(f"{path}: name a .npz file or a folder for PNG files (no suffix)")
    if not path.suffix and path.exists() and (not path.is_dir() or any(path.iterdir())):
        raise FmgenError(f"{path}: exists and is not an empty folder; choose a new folder")


def write_samples(path: Path | str, images: np.ndarray, labels: np.ndarray) -> Path:
    """`path`.npz: arrays images (N, 28, 28) uint8 and labels (N,) int64; else PNGs in `path`.

    PNG names carry the index and, for labelled samples, the class: 00007-shirt.png.
    """
    path = Path(path)
    check_output(path)
    if path.suffix.lower() == ".npz":
        with atomic_path(path) as tmp, open(tmp, "wb") as handle:
            np.savez_compressed(handle, images=images, labels=labels)
        return path
    path.mkdir(parents=True, exist_ok=True)
    width = max(5, len(str(len(images) - 1)))
    for index, (image, label) in enumerate(zip(images, labels, strict=True)):
        name = f"{index:0{width}d}"
        if label != NO_LABEL:
            name += "-" + "".join(c if c.isalnum() else "-" for c in CLASSES[label].lower())
        save_grid(image, path / f"{name}.png")
    return path
