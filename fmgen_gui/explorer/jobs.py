"""Background jobs of the explorer; each returns plain arrays, never a model."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from fmgen_gui.explorer.state import NO_SEED, Candidates
from trainer.checkpoint import load_checkpoint
from trainer.data import CLASSES, load_fashion_mnist
from trainer.explore import LatentAtlas, to_uint8
from trainer.learners import fixed_noise, make_learner
from trainer.registry import get_model


def _cpu_learner(checkpoint_path: Path, kind: str):
    checkpoint = load_checkpoint(checkpoint_path, expect_model=kind)
    learner = make_learner(checkpoint.config.replace(device="cpu"), torch.device("cpu"))
    learner.load_state_dict(checkpoint.state)
    learner.model.eval()
    return learner


def explore_job(kind: str, checkpoint_path: Path, data_dir: str | None):
    """The job that makes model `kind`'s candidates: encoded test images or latent samples."""
    make = encode_job if get_model(kind).has_encoder else latent_job
    return make(kind, checkpoint_path, data_dir)


def encode_job(kind: str, checkpoint_path: Path, data_dir: str | None):
    """Encode the test set (each image with its label) with its own CPU copy of the model."""

    def job(progress, cancel) -> Candidates:
        progress(0.0, "loading the test images")
        data = load_fashion_mnist(data_dir, download=True)
        learner = _cpu_learner(checkpoint_path, kind)
        atlas = LatentAtlas.build(
            learner.encode,
            data.test,
            progress=lambda f: progress(f, f"encoding the {len(data.test):,} test images"),
            cancel=cancel,
            with_labels=True,
        )
        return Candidates.from_atlas(atlas)

    return job


def latent_job(kind: str, checkpoint_path: Path, data_dir: str | None):
    """The fixed-noise samples (the grid the training pane shows) and the test images.

    Conditional models draw the grid's classes in turn, as their training grids do.
    """

    def job(progress, cancel) -> Candidates:
        progress(0.0, f"generating the {get_model(kind).label}'s samples")
        data = load_fashion_mnist(data_dir, download=True)
        learner = _cpu_learner(checkpoint_path, kind)
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
        return Candidates(codes.numpy(), images, captions, labels, seeds, data.test.images.numpy())

    return job
