"""The pytorch/examples vae/main.py baseline: its MLP VAE and its DataLoader pipeline.

Written from the example's description (784-400-20, ReLU, Adam 1e-3, torchvision's
FashionMNIST with ToTensor in a shuffling DataLoader), not copied from it.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn
from torchvision import datasets, transforms

from trainer.common.pixels import to_unit
from trainer.data.epochs import epoch_batches, epoch_order
from trainer.data.fashion_mnist import FashionMNIST
from trainer.data.idx import write_idx
from trainer.models.vae import gaussian_kl, reconstruction_nats

BATCH_SIZE = 128


class MLPVAE(nn.Module):
    """A two-layer MLP VAE, as the classic PyTorch example builds it."""

    def __init__(self, hidden: int = 400, latent: int = 20) -> None:
        super().__init__()
        self.encoder = nn.Linear(784, hidden)
        self.mean, self.logvar = nn.Linear(hidden, latent), nn.Linear(hidden, latent)
        self.decoder = nn.Sequential(nn.Linear(latent, hidden), nn.ReLU(), nn.Linear(hidden, 784))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """-ELBO per image, with one reparameterised sample."""
        h = F.relu(self.encoder(x.reshape(len(x), 784)))
        mu, logvar = self.mean(h), self.logvar(h)
        z = mu + torch.randn_like(mu) * torch.exp(0.5 * logvar)
        logits = self.decoder(z).reshape(x.shape)
        return reconstruction_nats(logits, x) + gaussian_kl(mu, logvar)


def mlp_stepper(batches: Iterator[torch.Tensor]) -> tuple[MLPVAE, Callable[[], int]]:
    """A fresh MLP VAE (seed 0) and its Adam step over `batches`; the step returns images."""
    torch.manual_seed(0)
    model = MLPVAE()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)

    def step() -> int:
        x = next(batches)
        optimizer.zero_grad()
        model(x).mean().backward()
        optimizer.step()
        return len(x)

    return model, step


def torchvision_loader(data: FashionMNIST, root: Path) -> torch.utils.data.DataLoader:
    """torchvision's FashionMNIST with ToTensor in a shuffling DataLoader, over `data`'s files."""
    raw = root / "FashionMNIST" / "raw"
    raw.mkdir(parents=True, exist_ok=True)
    for split, name in ((data.train, "train"), (data.test, "t10k")):
        write_idx(raw / f"{name}-images-idx3-ubyte", split.images.numpy())
        write_idx(raw / f"{name}-labels-idx1-ubyte", split.labels.numpy().astype("uint8"))
    dataset = datasets.FashionMNIST(str(root), train=True, transform=transforms.ToTensor())
    return torch.utils.data.DataLoader(dataset, batch_size=BATCH_SIZE, shuffle=True)


def loader_batches(loader: torch.utils.data.DataLoader) -> Iterator[torch.Tensor]:
    """The loader's image batches, epoch after epoch, without end."""
    for images, _ in itertools.chain.from_iterable(itertools.repeat(loader)):
        yield images


def batch_indices(
    data: FashionMNIST, batch_size: int = BATCH_SIZE, seed: int = 0
) -> Iterator[torch.Tensor]:
    """The indices of fmgen's batches as its training loop draws them: epoch after epoch, each
    in that epoch's own shuffled order, cut into batches the loop's way."""
    for epoch in itertools.count():
        for _, picks in epoch_batches(epoch_order(seed, epoch, len(data.train)), batch_size):
            yield picks


def in_memory_batches(data: FashionMNIST) -> Iterator[torch.Tensor]:
    """fmgen's way: shuffled slices of the uint8 training tensor, scaled per batch."""
    for index in batch_indices(data):
        yield to_unit(data.train.images[index])
