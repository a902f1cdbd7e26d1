"""How well an encoder model represents the test set: the ELBO's own terms, the IWAE bound and
the error of its mean reconstruction, all through the learner (any model with an encoder)."""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch

from trainer.common import keys
from trainer.common.errors import raise_if_cancelled
from trainer.config.precision import full_precision
from trainer.learners.base import Learner
from trainer.models.bits import bits_per_dim

COUNT = "count"  # test images behind a per-class mean


@dataclass(frozen=True)
class PerImage:
    """Per test image: the ELBO's terms and the IWAE bound (nats), the mean reconstruction's
    squared error per pixel."""

    recon: np.ndarray  # expected reconstruction term E_q[-log p(x|z)], mean over the k draws
    kl: np.ndarray
    iwae: np.ndarray  # -log (1/k sum_i w_i)
    mse: np.ndarray  # of decode(posterior mean), the picture a person sees

    @property
    def neg_elbo(self) -> np.ndarray:
        """-ELBO = expected reconstruction term + KL (the KL weighted 1, whatever beta was)."""
        return self.recon + self.kl


# Draws decoded at once: 10,000 held ~0.9 GB of decoder activations at the evaluation's peak
# (benchmarks/startup_memory.py); 2,000 keep batches large enough for the CPU's kernels.
BATCH_DRAWS = 2000


@torch.no_grad()
@full_precision()  # likelihoods are float32 whatever autocast the caller is in
def per_image_terms(
    learner: Learner,
    x: torch.Tensor,
    labels: torch.Tensor,
    samples: int = 100,
    seed: int = 0,
    batch_draws: int = BATCH_DRAWS,
    progress: Callable[[float], None] | None = None,
    cancel: threading.Event | None = None,
) -> PerImage:
    """The ELBO's terms and the IWAE bound of prepared images `x` (N, 1, 28, 28), per image.

    IWAE (Burda et al. 2016, eq. 8): log p(x) >= log (1/k sum_i w_i); it tightens as k grows.
    The same k draws give the ELBO's expected reconstruction term; its KL is the closed form
    (Kingma & Welling 2014, app. B), so reconstruction + KL = -ELBO exactly as trained.
    `labels` reach conditional models, whose bound is then on log p(x|y).
    """
    generator = torch.Generator().manual_seed(seed)
    per_batch = max(1, batch_draws // samples)
    parts: dict[str, list[torch.Tensor]] = {"recon": [], "kl": [], "iwae": [], "mse": []}
    for start in range(0, len(x), per_batch):
        raise_if_cancelled(cancel)
        batch, classes = x[start : start + per_batch], labels[start : start + per_batch]
        draws = learner.posterior_draws(batch, classes, samples, generator)
        parts["recon"].append(draws.recon.mean(dim=1))
        parts["kl"].append(draws.kl)
        parts["iwae"].append(math.log(samples) - torch.logsumexp(draws.log_weights, dim=1))
        mean_image = learner.reconstruct(batch, classes)
        parts["mse"].append((mean_image - batch).pow(2).flatten(1).mean(dim=1))
        if progress:
            progress(min(start + per_batch, len(x)) / len(x))
    return PerImage(**{name: torch.cat(v).double().cpu().numpy() for name, v in parts.items()})


def summarize(
    errors: PerImage, labels: np.ndarray, classes: tuple[str, ...], samples: int, discrete: bool
) -> dict:
    """Overall means, per-class means (with counts, which weight them back together).

    `discrete`: the likelihood is a probability of the pixels (binarised, or 8-bit under a
    discretised decoder), so the IWAE bound converts to bits/dim."""
    overall = {
        keys.RECON: float(errors.recon.mean()),
        keys.KL: float(errors.kl.mean()),
        keys.NEG_ELBO: float(errors.neg_elbo.mean()),
        keys.IWAE_NLL: float(errors.iwae.mean()),
        keys.IWAE_K: samples,
        keys.MSE: float(errors.mse.mean()),
        # bits per pixel mean something only for a probability of discrete pixels
        keys.BITS_PER_DIM: bits_per_dim(float(errors.iwae.mean())) if discrete else None,
    }
    per_class = {}
    for label, name in enumerate(classes):
        members = labels == label
        if members.any():
            per_class[name] = {
                keys.RECON: float(errors.recon[members].mean()),
                keys.MSE: float(errors.mse[members].mean()),
                COUNT: int(members.sum()),
            }
    return {"overall": overall, "per_class": per_class}


def worst_per_class(errors: PerImage, labels: np.ndarray, count: int = 4) -> dict[int, np.ndarray]:
    """Indices of the `count` test images with the largest reconstruction term per class."""
    worst = {}
    for label in np.unique(labels):
        members = np.flatnonzero(labels == label)
        worst[int(label)] = members[np.argsort(errors.recon[members])[::-1][:count]]
    return worst
