"""Background jobs of the explorer: load one epoch snapshot, encode or sample, hand it over."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from fmgen_gui.explorer.state import NO_SEED, Candidates
from fmgen_gui.tasks import Report
from trainer.data import CLASSES, load_fashion_mnist
from trainer.evaluate import load_learner
from trainer.explore import LatentAtlas, to_uint8
from trainer.learners import Learner, fixed_noise
from trainer.registry import get_model


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


def explore_job(kind: str, checkpoint_path: Path, data_dir: str | None):
    """The job that makes model `kind`'s candidates: encoded test images or latent samples."""
    make = encode_job if get_model(kind).has_encoder else latent_job
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
        return Loaded(kind, checkpoint.epoch, learner, Candidates.from_atlas(atlas))

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
        return Loaded(kind, checkpoint.epoch, learner, found)

    return job
