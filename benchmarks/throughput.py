"""Training images/s: fmgen's in-memory pipeline vs the pytorch/examples DataLoader pipeline.

Two models, each fed both ways with the same optimizer and step, so only the way batches are
made differs: slices of one uint8 tensor (fmgen) against torchvision's FashionMNIST read
through a DataLoader with ToTensor, PIL image by PIL image (pytorch/examples vae/main.py).
The default convolutional VAE shows what the pipeline saves fmgen's own training; the
example's MLP VAE, whose step is as cheap as its data loading, shows the pipeline's own cost,
which is also measured directly: both pipelines making batches with no training at all.
Every pair is measured in --rounds rounds that alternate which goes first; the figures are
medians with the range over the rounds beside them.

    python benchmarks/throughput.py [--quick] [--rounds N]
"""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Callable, Iterator
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
from benchmarks.common import (
    Figure,
    alternate_rounds,
    median_of,
    rate,
    run_rounds_benchmark,
    spread,
)
from trainer.config.settings import default_config
from trainer.data.fashion_mnist import FashionMNIST, load_fashion_mnist
from trainer.learners import Learner, make_learner
from trainer.registry import ModelSpec, all_models

CPU = torch.device("cpu")


def fmgen_stepper(data: FashionMNIST, model: str = "vae", learner: Learner | None = None):
    """A step function over in-memory batches, as the training loop makes them."""
    learner = learner or make_learner(default_config(model, device="cpu"), CPU)
    batches = batch_indices(data, learner.config.batch_size, learner.config.seed)

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


def batches_alone(batches: Iterator[torch.Tensor]) -> Callable[[], int]:
    """A 'step' that only makes the next batch: the pipeline's own cost, no training."""
    return lambda: len(next(batches))


def paired_rates(
    ours: Callable[[], int], theirs: Callable[[], int], seconds: float, rounds: int
) -> tuple[list[float], list[float]]:
    """Images/s of both in every round, taken in alternating order (see `round_order`)."""
    rates = alternate_rounds(
        {"ours": lambda: rate(ours, seconds), "theirs": lambda: rate(theirs, seconds)}, rounds
    )
    return rates["ours"], rates["theirs"]


def us_per_image_added(ours: list[float], theirs: list[float]) -> list[float]:
    """Per round: microseconds per image that `theirs` (images/s) spends beyond `ours`."""
    return [1e6 / b - 1e6 / a for a, b in zip(ours, theirs, strict=True)]


def speedup_figures(
    model: str, ours: list[float], theirs: list[float], target: str = ""
) -> list[Figure]:
    """The rows of one model: both rates, their ratio per round and the loader cost they imply."""
    ratios = [a / b for a, b in zip(ours, theirs, strict=True)]
    return [
        Figure(
            "throughput",
            f"{model} images/s, in-memory / DataLoader",
            f"{spread(ours)} / {spread(theirs)}",
        ),
        Figure(
            "throughput",
            f"{model} per-epoch speed-up over the DataLoader",
            spread(ratios, 2, "x"),
            target,
        ),
        Figure(
            "throughput",
            f"{model}: loader cost implied by the pair (us per image)",
            spread(us_per_image_added(ours, theirs), 1),
        ),
    ]


def run(quick: bool = False, rounds: int = 4) -> list[Figure]:
    """Measure the pipelines alone, both VAEs both ways, and every other model's rate."""
    seconds = 2.0 if quick else 10.0
    data = load_fashion_mnist(download=True)
    with tempfile.TemporaryDirectory() as root:
        loader = torchvision_loader(data, Path(root))
        alone = paired_rates(
            batches_alone(in_memory_batches(data)),
            batches_alone(loader_batches(loader)),
            seconds,
            rounds,
        )
        vae = paired_rates(fmgen_stepper(data), dataloader_stepper(loader), seconds, rounds)
        mlp = paired_rates(
            mlp_stepper(in_memory_batches(data))[1],
            mlp_stepper(loader_batches(loader))[1],
            seconds,
            rounds,
        )
    figures = [
        Figure(
            "throughput",
            "DataLoader + ToTensor cost per image, batches made alone (us)",
            spread(us_per_image_added(*alone), 1),
        ),
        Figure(
            "throughput",
            "in-memory batch cost per image (us)",
            spread([1e6 / r for r in alone[0]], 2),
        ),
        *speedup_figures("conv VAE (fmgen default)", *vae, ">= 2x"),
        *speedup_figures("MLP VAE (pytorch/examples)", *mlp, ">= 2x"),
        Figure(
            "throughput",
            "conv VAE seconds per 60k-image epoch (fmgen)",
            f"{60000 / median_of(vae[0]):.1f}",
        ),
    ]
    for spec in all_models():
        if spec.name != "vae":  # measured above, against the DataLoader
            figures += model_rate_figures(spec, data, seconds, rounds)
    return figures


def model_rate_figures(spec: ModelSpec, data: FashionMNIST, seconds: float, rounds: int):
    """A registered model's training images/s with its default config, and its epoch time."""
    rates = [rate(fmgen_stepper(data, spec.name), seconds) for _ in range(rounds)]
    return [
        Figure("throughput", f"{spec.label} images/s, fmgen in-memory batches", spread(rates)),
        Figure(
            "throughput",
            f"{spec.label} seconds per 60k-image epoch (fmgen)",
            f"{60000 / median_of(rates):.1f}",
        ),
    ]


if __name__ == "__main__":
    run_rounds_benchmark(run, rounds=4)
