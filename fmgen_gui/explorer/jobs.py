"""Background jobs of the explorer; each returns plain arrays, never a model."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from fmgen_gui.tasks import Report
from trainer.checkpoint import load_checkpoint
from trainer.data import load_fashion_mnist
from trainer.explore import LatentAtlas, to_uint8
from trainer.learners import fixed_noise, make_learner


@dataclass(frozen=True)
class GanCandidates:
    """The GAN's fixed-noise vectors, their images, and real test images to compare with."""

    codes: np.ndarray  # (64, D)
    images: np.ndarray  # (64, 28, 28) uint8
    reference: np.ndarray  # test images (N, 28, 28) uint8


def _cpu_learner(checkpoint_path: Path, kind: str):
    checkpoint = load_checkpoint(checkpoint_path, expect_model=kind)
    learner = make_learner(checkpoint.config.replace(device="cpu"), torch.device("cpu"))
    learner.load_state_dict(checkpoint.state)
    learner.model.eval()
    return learner


def encode_job(checkpoint_path: Path, data_dir: str | None):
    """Encode the test set with the VAE of `checkpoint_path` (its own CPU copy)."""

    def job(report: Report, cancel: threading.Event) -> LatentAtlas:
        report.progress(0.0, "loading the test images")
        data = load_fashion_mnist(data_dir, download=True, cancel=cancel)
        vae = _cpu_learner(checkpoint_path, "vae").model
        return LatentAtlas.build(
            lambda x: vae.encode(x)[0],
            data.test,
            progress=lambda f: report.progress(f, "encoding the 10,000 test images"),
            cancel=cancel,
        )

    return job


def gan_job(checkpoint_path: Path, data_dir: str | None):
    """The GAN's fixed-noise samples (the grid the training pane shows) and the test images."""

    def job(report: Report, cancel: threading.Event) -> GanCandidates:
        report.progress(0.0, "generating the GAN's samples")
        data = load_fashion_mnist(data_dir, download=True, cancel=cancel)
        learner = _cpu_learner(checkpoint_path, "gan")
        codes = fixed_noise(learner.config)
        with torch.no_grad():
            images = learner.model.sample(codes)[:, 0].numpy()
        return GanCandidates(codes.numpy(), to_uint8(images), data.test.images.numpy())

    return job
