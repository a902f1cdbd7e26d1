"""Background jobs of the explorer: load one epoch snapshot, encode or sample, hand it over;
decode a path through a slow (multi-step) decoder."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from fmgen_gui.explorer.state import NO_SEED, Candidates
from fmgen_gui.tasks import Report
from trainer.common.errors import raise_if_cancelled
from trainer.common.pixels import to_uint8
from trainer.data.fashion_mnist import CLASSES, load_fashion_mnist
from trainer.learners import Learner, fixed_noise
from trainer.registry import get_model
from trainer.runs.loading import load_learner
from trainer.sampling.explore import LatentAtlas
from trainer.sampling.path_frames import PathFrames, PathRequest, path_frames
from trainer.sampling.samples import batch_size

Dials = dict[str, float | None]  # a sampler's dial values by dial name (Learner.dials)


@dataclass(frozen=True)
class Loaded:
    """What a job hands to the explorer: the learner of one snapshot and what it computed.

    `learner` is a CPU copy the job built from the snapshot and used only before returning:
    with this result its ownership passes to the GUI thread, which alone decodes with it from
    then on, so the module is never used by two threads at once.
    """

    kind: str
    epoch: int
    learner: Learner
    candidates: Candidates
    checkpoint: Path  # the epoch snapshot: background decoders load their own copy of it

    def note(self) -> str:
        """The status line: 'VAE of epoch 3, latent size 32: 10,000 encoded test images. Click…'."""
        found, spec = self.candidates, get_model(self.kind)
        noun = "fixed-noise samples"
        if found.test_images and spec.encode_cost > 1:  # DDIM inversion: only the picked pair
            noun = "test images, the two picked encoded then"
        elif found.test_images:
            noun = "encoded test images"
        return (
            f"{spec.label} of epoch {self.epoch}, latent size "
            f"{self.learner.config.latent_dim}: {len(found):,} {noun}. Click two to compare."
        )


def explore_job(kind: str, checkpoint_path: Path, data_dir: str | None):
    """The job that makes model `kind`'s candidates: encoded test images or latent samples."""
    spec = get_model(kind)
    make = latent_job
    if spec.has_encoder:  # a costly encoder (DDIM inversion) encodes only the picked pair
        make = encode_job if spec.encode_cost == 1 else test_images_job
    return make(kind, checkpoint_path, data_dir)


def encode_job(kind: str, checkpoint_path: Path, data_dir: str | None):
    """Encode the test set (each image with its label) with its own CPU copy of the model."""

    def job(report: Report, cancel: threading.Event) -> Loaded:
        report.progress(0.0, "loading the test images")
        data = load_fashion_mnist(data_dir, download=True, cancel=cancel)
        learner, checkpoint = load_learner(checkpoint_path, kind)
        atlas = LatentAtlas.build(
            learner.encode,
            data.test,
            progress=lambda f: report.progress(f, f"encoding the {len(data.test):,} test images"),
            cancel=cancel,
            with_labels=True,
        )
        return Loaded(
            kind, checkpoint.epoch, learner, Candidates.from_atlas(atlas), checkpoint_path
        )

    return job


def test_images_job(kind: str, checkpoint_path: Path, data_dir: str | None):
    """The test images, not encoded: a path's job encodes its two ends (`frames_job`)."""

    def job(report: Report, cancel: threading.Event) -> Loaded:
        report.progress(0.0, "loading the test images")
        data = load_fashion_mnist(data_dir, download=True, cancel=cancel)
        learner, checkpoint = load_learner(checkpoint_path, kind)
        found = Candidates.from_test_images(data.test.images.numpy(), data.test.labels.numpy())
        return Loaded(kind, checkpoint.epoch, learner, found, checkpoint_path)

    return job


def frames_job(kind: str, checkpoint_path: Path, request: PathRequest, dials: Dials):
    """Decode a path's strip (a multi-step decoder) with its own CPU copy of the model, its
    sampler's dials at `dials`."""

    def job(report: Report, cancel: threading.Event) -> PathFrames:
        learner, _ = load_learner(checkpoint_path, kind)
        learner.dials.update(dials)
        return path_frames(learner, request, report.progress, cancel)

    return job


def redraw_job(
    kind: str, checkpoint_path: Path, codes: np.ndarray, labels: np.ndarray | None, dials: Dials
):
    """Draw latent `codes` (as classes `labels`, conditional models) again with the sampler's
    dials at `dials`, with its own CPU copy of the model: uint8 images (N, 28, 28)."""

    def job(report: Report, cancel: threading.Event) -> np.ndarray:
        report.progress(0.0, "loading the model")
        learner, _ = load_learner(checkpoint_path, kind)
        learner.dials.update(dials)
        size, images = batch_size(kind), []
        for start in range(0, len(codes), size):
            raise_if_cancelled(cancel)
            picks = slice(start, start + size)
            given = () if labels is None else (torch.from_numpy(labels[picks]),)
            part = torch.from_numpy(codes[picks])

            def done(fraction: float, start: int = start, count: int = len(part)) -> None:
                raise_if_cancelled(cancel)  # each of a DDPM's steps: a batch takes seconds
                text = f"drawing the {len(codes):,} images again"
                report.progress((start + fraction * count) / len(codes), text)

            with learner.reporting(done), torch.no_grad():  # a slow sampler's steps report
                images.append(to_uint8(learner.sample_images(part, *given)[:, 0].float().numpy()))
            done(1.0)
        return np.concatenate(images) if images else np.zeros((0, 28, 28), np.uint8)

    return job


def latent_job(kind: str, checkpoint_path: Path, data_dir: str | None):
    """The fixed-noise samples (the grid the training pane shows) and the test images.

    Conditional models draw the grid's classes in turn, as their training grids do.
    """

    def job(report: Report, cancel: threading.Event) -> Loaded:
        report.progress(0.0, f"generating the {get_model(kind).label}'s samples")
        data = load_fashion_mnist(data_dir, download=True, cancel=cancel)
        learner, checkpoint = load_learner(checkpoint_path, kind)
        codes = fixed_noise(learner.config)
        labels = None
        given: tuple = ()
        if get_model(kind).conditional:
            labels = np.arange(len(codes)) % len(CLASSES)
            given = (torch.from_numpy(labels),)
        with torch.no_grad():
            images = to_uint8(learner.sample_images(codes, *given)[:, 0].numpy())
        captions = tuple(
            f"sample {i}" if labels is None else f"{CLASSES[labels[i]]}, sample {i}"
            for i in range(len(codes))
        )
        seeds = np.full(len(codes), NO_SEED, np.int64)
        reference = data.test.images.numpy()
        found = Candidates(codes.numpy(), images, captions, labels, seeds, reference)
        return Loaded(kind, checkpoint.epoch, learner, found, checkpoint_path)

    return job
