"""A Bernoulli-Bernoulli restricted Boltzmann machine: binary visible units v (the pixels) and
binary hidden units h, joined by weights W and no connections within a layer.

Energy E(v, h) = -b.v - c.h - h.W v (Hinton 2002; Hinton's "practical guide", 2010, sec. 2):
p(v, h) = exp(-E(v, h)) / Z. Summing h out gives the free energy
F(v) = -b.v - sum_j softplus(c_j + W_j.v), so p(v) = exp(-F(v)) / Z; Z itself sums over 2^784
images and is estimated by AIS (trainer.models.ais).
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F

VISIBLE = 784  # 28 x 28 binary pixels
# Hinton's practical guide (sec. 8): weights from N(0, 0.01^2), biases at 0.
INIT_STD = 0.01


class RBM(nn.Module):
    """Weights (hidden, visible), visible biases b and hidden biases c, all learned."""

    def __init__(self, hidden: int, visible: int = VISIBLE) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.randn(hidden, visible) * INIT_STD)
        self.visible_bias = nn.Parameter(torch.zeros(visible))
        self.hidden_bias = nn.Parameter(torch.zeros(hidden))

    @property
    def hidden(self) -> int:
        """How many hidden units."""
        return self.weight.shape[0]

    @property
    def visible(self) -> int:
        """How many visible units."""
        return self.weight.shape[1]

    def hidden_logits(self, v: torch.Tensor) -> torch.Tensor:
        """c + W v for visible states v (N, D): the hidden units' input (N, H)."""
        return F.linear(v, self.weight, self.hidden_bias)

    def free_energy(self, v: torch.Tensor) -> torch.Tensor:
        """F(v) = -b.v - sum_j softplus(c_j + W_j.v) per row of v (N, D), in nats: -log p(v)
        up to log Z."""
        return -v @ self.visible_bias - F.softplus(self.hidden_logits(v)).sum(dim=1)

    def hidden_probs(self, v: torch.Tensor) -> torch.Tensor:
        """p(h_j = 1 | v) = sigmoid(c_j + W_j.v), (N, H)."""
        return torch.sigmoid(self.hidden_logits(v))

    def visible_probs(self, h: torch.Tensor) -> torch.Tensor:
        """p(v_i = 1 | h) = sigmoid(b_i + W_:i.h), (N, D)."""
        return torch.sigmoid(h @ self.weight + self.visible_bias)

    def gibbs_step(
        self, v: torch.Tensor, generator: torch.Generator | None = None
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """One step of block Gibbs sampling, v -> h ~ p(h|v) -> v' ~ p(v|h): (h, p(v'|h), v')."""
        h = torch.bernoulli(self.hidden_probs(v), generator=generator)
        probs = self.visible_probs(h)
        return h, probs, torch.bernoulli(probs, generator=generator)

    def gibbs(
        self, v: torch.Tensor, steps: int, generator: torch.Generator | None = None
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """`steps` Gibbs steps from v: the last visible probabilities and state."""
        probs = v
        for _ in range(steps):
            _, probs, v = self.gibbs_step(v, generator)
        return probs, v

    def pseudo_log_likelihood(
        self, v: torch.Tensor, generator: torch.Generator | None = None
    ) -> torch.Tensor:
        """Per image, an unbiased one-pixel estimate of sum_i log p(v_i | v_-i) (Besag 1975):
        D log sigmoid(F(v with pixel i flipped) - F(v)) for a pixel i drawn per image.

        NOT a likelihood: each factor conditions on all the other pixels, so it needs no Z and
        says how well the model fills in one pixel, not how probable the image is (it is what
        scikit-learn's BernoulliRBM.score_samples returns).
        """
        pick = torch.randint(v.shape[1], (len(v),), generator=generator, device=v.device)
        flipped = v.clone()
        rows = torch.arange(len(v), device=v.device)
        flipped[rows, pick] = 1 - flipped[rows, pick]
        return v.shape[1] * F.logsigmoid(self.free_energy(flipped) - self.free_energy(v))

    def contrastive_divergence(self, data: torch.Tensor, model: torch.Tensor) -> torch.Tensor:
        """A surrogate loss whose gradient is the CD / PCD estimate of -d log p(data) / d theta:
        mean F(data) - mean F(model samples), the model samples held fixed (Hinton 2002,
        eq. 5; Tieleman 2008). Its value is no likelihood."""
        return self.free_energy(data).mean() - self.free_energy(model.detach()).mean()


class TrainedRBM(nn.Module):
    """The RBM with what its training keeps beside the weights, saved in its checkpoints: the
    training pixels' running mean (the AIS base rate), a fixed sample of training images (the
    free-energy gap's train side) and the persistent chains of PCD."""

    def __init__(self, hidden: int, chains: int, kept_images: int) -> None:
        super().__init__()
        self.rbm = RBM(hidden)
        self.register_buffer("pixel_sum", torch.zeros(VISIBLE, dtype=torch.float64))
        self.register_buffer("pixel_count", torch.zeros((), dtype=torch.long))
        self.register_buffer("kept", torch.zeros(kept_images, 28, 28, dtype=torch.uint8))
        self.register_buffer("kept_count", torch.zeros((), dtype=torch.long))
        # PCD's fantasy particles start as uniform noise (Tieleman 2008 starts them at random)
        self.register_buffer("chains", torch.bernoulli(torch.full((chains, VISIBLE), 0.5)))

    def observe(self, images: torch.Tensor, intensities: torch.Tensor) -> None:
        """Count a training batch: uint8 images (N, 28, 28) and their [0, 1] pixels (N, D)."""
        self.pixel_sum += intensities.sum(0).double()
        self.pixel_count += len(intensities)
        start = int(self.kept_count)
        taken = images[: len(self.kept) - start]
        self.kept[start : start + len(taken)] = taken.to(self.kept.device)
        self.kept_count += len(taken)

    def pixel_means(self) -> torch.Tensor:
        """The training pixels' means so far (0.5 each before any batch)."""
        if int(self.pixel_count) == 0:
            return torch.full_like(self.pixel_sum, 0.5).float()
        return (self.pixel_sum / self.pixel_count).float()

    def kept_images(self) -> torch.Tensor:
        """The training images kept so far (uint8, at most `kept_images`)."""
        return self.kept[: int(self.kept_count)]
