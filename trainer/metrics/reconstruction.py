"""How well the VAE represents the test set: reconstruction errors, the ELBO and the IWAE bound."""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass

import numpy as np
import torch

from trainer.errors import raise_if_cancelled
from trainer.models.vae import ConvVAE, gaussian_kl, reconstruction_nats
from trainer.precision import full_precision

LOG_2PI = math.log(2 * math.pi)


@dataclass(frozen=True)
class PerImage:
    """Per test image: BCE (nats) and MSE (per pixel) of the mean reconstruction, and KL."""

    bce: np.ndarray
    mse: np.ndarray
    kl: np.ndarray


@torch.no_grad()
@full_precision()
def reconstruction_errors(
    model: ConvVAE,
    images: torch.Tensor,
    batch: int = 500,
    cancel: threading.Event | None = None,
) -> PerImage:
    """Errors of decode(mean of q(z|x)), the deterministic 'reconstruction' a person sees."""
    model.eval()
    bce, mse, kl = [], [], []
    for start in range(0, len(images), batch):
        raise_if_cancelled(cancel)
        x = images[start : start + batch]
        mu, logvar = model.encode(x)
        logits = model.decode(mu)
        bce.append(reconstruction_nats(logits, x))
        mse.append((torch.sigmoid(logits) - x).pow(2).flatten(1).mean(dim=1))
        kl.append(gaussian_kl(mu, logvar))
    return PerImage(*(torch.cat(v).numpy() for v in (bce, mse, kl)))


def summarize(errors: PerImage, labels: np.ndarray, classes: tuple[str, ...]) -> dict:
    """Overall means and per-class means (with counts); the counts weight them back together."""
    overall = {
        "bce": float(errors.bce.mean()),
        "mse": float(errors.mse.mean()),
        "kl": float(errors.kl.mean()),
    }
    per_class = {}
    for label, name in enumerate(classes):
        members = labels == label
        if members.any():
            per_class[name] = {
                "bce": float(errors.bce[members].mean()),
                "mse": float(errors.mse[members].mean()),
                "count": int(members.sum()),
            }
    return {"overall": overall, "per_class": per_class}


def worst_per_class(errors: PerImage, labels: np.ndarray, count: int = 4) -> dict[int, np.ndarray]:
    """Indices of the `count` test images with the largest BCE in each class, worst first."""
    worst = {}
    for label in np.unique(labels):
        members = np.flatnonzero(labels == label)
        worst[int(label)] = members[np.argsort(errors.bce[members])[::-1][:count]]
    return worst


@torch.no_grad()
def log_weights(
    model: ConvVAE, x: torch.Tensor, samples: int, generator: torch.Generator
) -> torch.Tensor:
    """log p(x, z_i) - log q(z_i | x) for `samples` draws z_i ~ q(z | x); shape (N, samples)."""
    mu, logvar = model.encode(x)
    std = torch.exp(0.5 * logvar)
    eps = torch.randn((samples, *mu.shape), generator=generator, dtype=mu.dtype)
    z = mu + eps * std  # (S, N, D)
    logits = model.decode(z.reshape(-1, z.shape[-1]))
    target = x.expand(samples, *x.shape).reshape(-1, *x.shape[1:])
    log_px_z = -reconstruction_nats(logits, target).reshape(samples, len(x))
    log_pz = -0.5 * (z.pow(2) + LOG_2PI).sum(-1)
    log_qz_x = -0.5 * (eps.pow(2) + logvar + LOG_2PI).sum(-1)
    return (log_px_z + log_pz - log_qz_x).T


@torch.no_grad()
@full_precision()
def likelihood_bounds(
    model: ConvVAE,
    images: torch.Tensor,
    samples: int = 100,
    seed: int = 0,
    batch_draws: int = 10000,
    progress=None,
    cancel: threading.Event | None = None,
) -> dict[str, float]:
    """Per-image means, in nats, of the negative ELBO and of the negative IWAE bound.

    IWAE (Burda et al. 2016): log p(x) >= log (1/k sum_i w_i); it tightens as k grows and is
    never looser than the ELBO, estimated here from the same k draws as mean_i log w_i.
    """
    model.eval()
    generator = torch.Generator().manual_seed(seed)
    per_batch = max(1, batch_draws // samples)
    elbo_sum = iwae_sum = 0.0
    for start in range(0, len(images), per_batch):
        raise_if_cancelled(cancel)
        weights = log_weights(model, images[start : start + per_batch], samples, generator)
        elbo_sum += weights.mean(dim=1).sum().item()
        iwae_sum += (torch.logsumexp(weights, dim=1) - math.log(samples)).sum().item()
        if progress:
            progress(min(start + per_batch, len(images)) / len(images))
    return {"neg_elbo": -elbo_sum / len(images), "iwae_nll": -iwae_sum / len(images)}


def bits_per_dim(nats_per_image: float, pixels: int = 784) -> float:
    """Nats per image as bits per pixel: meaningful for binarised (discrete) pixels only."""
    return nats_per_image / (pixels * math.log(2))
