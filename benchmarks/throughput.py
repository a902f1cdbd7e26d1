"""Training images/s: fmgen's in-memory pipeline vs the pytorch/examples DataLoader pipeline.

Two models, each fed both ways with the same optimizer and step, so only the way batches are
made differs: slices of one uint8 tensor (fmgen) against torchvision's FashionMNIST read
through a DataLoader with ToTensor, PIL image by PIL image (pytorch/examples vae/main.py).
The default convolutional VAE shows what the pipeline saves fmgen's own training; the
example's MLP VAE, whose step is as cheap as its data loading, shows the pipeline's own cost.
"""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.baseline import (
    batch_indices,
    in_memory_batches,
    loader_batches,
    mlp_stepper,
    torchvision_loader,
)
from benchmarks.common import Figure, median_of, rate, run_benchmark
from trainer.config import default_config
from trainer.data import FashionMNIST, load_fashion_mnist
from trainer.learners import Learner, make_learner
from trainer.registry import ModelSpec, all_models

CPU = torch.device("cpu")


def fmgen_stepper(data: FashionMNIST, model: str = "vae", learner: Learner | None = None):
    """A step function over in-memory batches, as the training loop makes them."""
    learner = learner or make_learner(default_config(model, device="cpu"), CPU)
    batches = batch_indices(data, learner.config.batch_size)

    def step() -> int:
        index = next(batches)
        learner.train_step(data.train.images[index], data.train.labels[index])
        return len(index)

    return step


def dataloader_stepper(loader: torch.utils.data.DataLoader) -> Callable[[], int]:
    """The default VAE's step fed by torchvision's FashionMNIST + ToTensor + DataLoader."""
    learner = make_learner(default_config("vae", device="cpu"), CPU)
    batches = loader_batches(loader)

    def step() -> int:
        images = next(batches)
        learner.optimise(images)
        return len(images)

    return step


def alternate(ours: Callable[[], int], theirs: Callable[[], int], seconds: float, rounds: int):
    """Median images/s of both, measured in alternating rounds so both see the same machine."""
    a, b = [], []
    for _ in range(rounds):
        a.append(rate(ours, seconds))
        b.append(rate(theirs, seconds))
    return median_of(a), median_of(b)


def speedup_figures(model: str, ours: float, theirs: float, target: str = "") -> list[Figure]:
    """The rows of one model: both rates and their ratio."""
    return [
        Figure(
            "throughput", f"{model} images/s, in-memory / DataLoader", f"{ours:.0f} / {theirs:.0f}"
        ),
        Figure(
            "throughput",
            f"{model} per-epoch speed-up over the DataLoader",
            f"{ours / theirs:.2f}x",
            target,
        ),
    ]


def run(quick: bool = False) -> list[Figure]:
    """Measure the VAEs both ways, and every other registered model's rate."""
    seconds, rounds = (3.0, 1) if quick else (10.0, 3)
    data = load_fashion_mnist(download=True)
    with tempfile.TemporaryDirectory() as root:
        loader = torchvision_loader(data, Path(root))
        vae = alternate(fmgen_stepper(data), dataloader_stepper(loader), seconds, rounds)
        mlp = alternate(
            mlp_stepper(in_memory_batches(data))[1],
            mlp_stepper(loader_batches(loader))[1],
            seconds,
            rounds,
        )
    figures = [
        *speedup_figures("conv VAE (fmgen default)", *vae, ">= 2x"),
        *speedup_figures("MLP VAE (pytorch/examples)", *mlp, ">= 2x"),
        Figure(
            "throughput", "conv VAE seconds per 60k-image epoch (fmgen)", f"{60000 / vae[0]:.1f}"
        ),
    ]
    for spec in all_models():
        if spec.name != "vae":  # measured above, against the DataLoader
            figures += model_rate_figures(spec, data, seconds, rounds)
    return figures


def model_rate_figures(spec: ModelSpec, data: FashionMNIST, seconds: float, rounds: int):
    """A registered model's training images/s with its default config, and its epoch time."""
    images_per_s = median_of([rate(fmgen_stepper(data, spec.name), seconds) for _ in range(rounds)])
    return [
        Figure(
            "throughput", f"{spec.label} images/s, fmgen in-memory batches", f"{images_per_s:.0f}"
        ),
        Figure(
            "throughput",
            f"{spec.label} seconds per 60k-image epoch (fmgen)",
            f"{60000 / images_per_s:.1f}",
        ),
    ]


if __name__ == "__main__":
    run_benchmark(run)
