"""Training images/s: fmgen's in-memory pipeline vs the pytorch/examples DataLoader pipeline.

Both feed the same default ConvVAE, the same optimizer and the same step; only the way batches
are made differs: slices of one uint8 tensor (fmgen) against a torchvision FashionMNIST dataset
read through a DataLoader with ToTensor, PIL image by PIL image (pytorch/examples vae/main.py).
"""

from __future__ import annotations

import itertools
import sys
import tempfile
from pathlib import Path

import torch
from torchvision import datasets, transforms

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import Figure, median_of, rate, run_benchmark
from trainer.config import default_config
from trainer.data import FashionMNIST, load_fashion_mnist
from trainer.idx import write_idx
from trainer.learners import Learner, make_learner
from trainer.loop import epoch_order

CPU = torch.device("cpu")


def fmgen_stepper(data: FashionMNIST, model: str = "vae", learner: Learner | None = None):
    """A step function over in-memory batches, as the training loop makes them."""
    learner = learner or make_learner(default_config(model, device="cpu"), CPU)
    order = epoch_order(0, 0, len(data.train))
    batches = itertools.cycle(order.split(learner.config.batch_size))

    def step() -> int:
        index = next(batches)
        learner.train_step(data.train.images[index])
        return len(index)

    return step


def torchvision_loader(data: FashionMNIST, root: Path, batch_size: int = 128):
    """torchvision's FashionMNIST with ToTensor in a shuffling DataLoader (pytorch/examples)."""
    raw = root / "FashionMNIST" / "raw"
    raw.mkdir(parents=True, exist_ok=True)
    for split, name in ((data.train, "train"), (data.test, "t10k")):
        write_idx(raw / f"{name}-images-idx3-ubyte", split.images.numpy())
        write_idx(raw / f"{name}-labels-idx1-ubyte", split.labels.numpy().astype("uint8"))
    dataset = datasets.FashionMNIST(str(root), train=True, transform=transforms.ToTensor())
    return torch.utils.data.DataLoader(dataset, batch_size=batch_size, shuffle=True)


def dataloader_stepper(data: FashionMNIST, root: Path):
    """The same VAE step fed by torchvision's FashionMNIST + ToTensor + DataLoader."""
    learner = make_learner(default_config("vae", device="cpu"), CPU)
    loader = torchvision_loader(data, root, learner.config.batch_size)
    batches = iter(())

    def step() -> int:
        nonlocal batches
        try:
            images, _ = next(batches)
        except StopIteration:
            batches = iter(loader)
            images, _ = next(batches)
        learner.optimise(images)
        return len(images)

    return step


def run(quick: bool = False) -> list[Figure]:
    """Measure, alternating the two VAE pipelines over rounds so both see the same machine."""
    seconds, rounds = (3.0, 1) if quick else (10.0, 3)
    data = load_fashion_mnist(download=True)
    with tempfile.TemporaryDirectory() as root:
        ours, theirs = fmgen_stepper(data), dataloader_stepper(data, Path(root))
        vae, loader = [], []
        for _ in range(rounds):
            vae.append(rate(ours, seconds))
            loader.append(rate(theirs, seconds))
    gan = median_of([rate(fmgen_stepper(data, "gan"), seconds) for _ in range(rounds)])
    vae_rate, loader_rate = median_of(vae), median_of(loader)
    return [
        Figure("throughput", "VAE images/s, fmgen in-memory batches", f"{vae_rate:.0f}"),
        Figure("throughput", "VAE images/s, DataLoader + ToTensor", f"{loader_rate:.0f}"),
        Figure(
            "throughput",
            "VAE per-epoch speed-up over the DataLoader",
            f"{vae_rate / loader_rate:.2f}x",
            ">= 2x",
        ),
        Figure("throughput", "VAE seconds per 60k-image epoch (fmgen)", f"{60000 / vae_rate:.1f}"),
        Figure("throughput", "GAN images/s, fmgen in-memory batches", f"{gan:.0f}"),
        Figure("throughput", "GAN seconds per 60k-image epoch (fmgen)", f"{60000 / gan:.1f}"),
    ]


if __name__ == "__main__":
    run_benchmark(run)
