"""Background jobs of the explorer: one checkpoint read, one model, handed to the GUI thread."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from torch import nn

from fmgen_gui.tasks import Report
from trainer.data import load_fashion_mnist
from trainer.evaluate import load_learner
from trainer.explore import LatentAtlas, to_uint8
from trainer.learners import fixed_noise


@dataclass(frozen=True)
class GanCandidates:
    """The GAN's fixed-noise vectors, their images, and real test images to compare with."""

    codes: np.ndarray  # (64, D)
    images: np.ndarray  # (64, 28, 28) uint8
    reference: np.ndarray  # test images (N, 28, 28) uint8


@dataclass(frozen=True)
class Loaded:
    """What a job hands to the explorer: the model of one snapshot and what it computed.

    `model` is a CPU module the job built from the snapshot and used only before returning:
    with this result its ownership passes to the GUI thread, which alone decodes with it from
    then on, so the module is never used by two threads at once.
    """

    kind: str
    epoch: int
    latent_dim: int
    model: nn.Module  # has .sample(codes) -> images (N, 1, 28, 28) in [0, 1]
    found: LatentAtlas | GanCandidates


def encode_job(snapshot: Path, data_dir: str | None):
    """Encode the test set with the VAE of `snapshot` (its own CPU copy)."""

    def job(report: Report, cancel: threading.Event) -> Loaded:
        report.progress(0.0, "loading the test images")
        data = load_fashion_mnist(data_dir, download=True, cancel=cancel)
        learner, checkpoint = load_learner(snapshot, "vae")
        vae = learner.model
        atlas = LatentAtlas.build(
            lambda x: vae.encode(x)[0],
            data.test,
            progress=lambda f: report.progress(f, "encoding the 10,000 test images"),
            cancel=cancel,
        )
        return Loaded("vae", checkpoint.epoch, checkpoint.config.latent_dim, vae, atlas)

    return job


def gan_job(snapshot: Path, data_dir: str | None):
    """The GAN's fixed-noise samples (the grid the training pane shows) and the test images."""

    def job(report: Report, cancel: threading.Event) -> Loaded:
        report.progress(0.0, "generating the GAN's samples")
        data = load_fashion_mnist(data_dir, download=True, cancel=cancel)
        learner, checkpoint = load_learner(snapshot, "gan")
        codes = fixed_noise(learner.config)
        with torch.no_grad():
            images = learner.model.sample(codes)[:, 0].numpy()
        found = GanCandidates(codes.numpy(), to_uint8(images), data.test.images.numpy())
        return Loaded("gan", checkpoint.epoch, learner.config.latent_dim, learner.model, found)

    return job
