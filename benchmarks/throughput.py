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

from benchmarks.common import Figure, machine, median_of, print_figures, rate
from trainer.config import default_config
from trainer.data import FashionMNIST, load_fashion_mnist
from trainer.idx import write_idx
from trainer.learners import make_learner
from trainer.loop import epoch_order

CPU = torch.device("cpu")


def fmgen_stepper(model: str, data: FashionMNIST):
    """A step function over in-memory batches, as the training loop makes them."""
    config = default_config(model, device="cpu")
    learner = make_learner(config, CPU)
    order = epoch_order(0, 0, len(data.train))
    batches = itertools.cycle(order.split(config.batch_size))

    def step() -> int:
        index = next(batches)
        learner.train_step(data.train.images[index])
        return len(index)

    return step


def dataloader_stepper(data: FashionMNIST, root: Path):
    """The same VAE step fed by torchvision's FashionMNIST + ToTensor + DataLoader."""
    raw = root / "FashionMNIST" / "raw"
    raw.mkdir(parents=True, exist_ok=True)
    write_idx(raw / "train-images-idx3-ubyte", data.train.images.numpy())
    write_idx(raw / "train-labels-idx1-ubyte", data.train.labels.numpy().astype("uint8"))
    write_idx(raw / "t10k-images-idx3-ubyte", data.test.images.numpy())
    write_idx(raw / "t10k-labels-idx1-ubyte", data.test.labels.numpy().astype("uint8"))
    dataset = datasets.FashionMNIST(str(root), train=True, transform=transforms.ToTensor())
    config = default_config("vae", device="cpu")
    loader = torch.utils.data.DataLoader(dataset, batch_size=config.batch_size, shuffle=True)
    learner = make_learner(config, CPU)
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
        ours, theirs = fmgen_stepper("vae", data), dataloader_stepper(data, Path(root))
        vae, loader = [], []
        for _ in range(rounds):
            vae.append(rate(ours, seconds))
            loader.append(rate(theirs, seconds))
    gan = median_of([rate(fmgen_stepper("gan", data), seconds) for _ in range(rounds)])
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
    print(machine())
    print_figures(run(quick="--quick" in sys.argv))
