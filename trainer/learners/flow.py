"""Trains the RealNVP flow by maximum likelihood on dequantised 8-bit images."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import torch

from trainer.common import keys as k
from trainer.common.grids import tile
from trainer.data.fashion_mnist import Split
from trainer.learners.base import Learner, adam
from trainer.learners.chain_words import ChainWords
from trainer.models.bits import dequantized_bits_per_dim
from trainer.models.flow import RealNVP
from trainer.models.samplers import StepOutput

# The CPU default: 1.3 M parameters, ~150 M multiply-adds per image and pass; the widths grow
# as the images shrink, so each scale costs about the same.
ARCHITECTURE = {"widths": (32, 64, 96), "blocks": 1, "couplings": 3, "final_couplings": 4}
COOL_TEMPERATURE = 0.7  # Kingma & Dhariwal 2018, sec. 5: cooler samples look cleaner
MAX_GRAD_NORM = 100.0  # a rare batch with a huge gradient would otherwise wreck the flow


@dataclass(frozen=True)
class ScaleOrder:
    """The flow's 'sampler' for the chain view: its latent parts coarsest first, and how many
    latents are drawn after each step (the view's timesteps)."""

    parts: list[slice]  # RealNVP.latent_parts(): finest first
    temperature: float = 1.0

    @property
    def timesteps(self) -> torch.Tensor:
        """Latents drawn after each step, coarsest part first: 196, 392, 784 by default."""
        sizes = [part.stop - part.start for part in reversed(self.parts)]
        return torch.tensor(np.cumsum(sizes))


class FlowLearner(Learner):
    """Maximises log p(y) of y = (x + u) / 256, u ~ U[0, 1)^D (uniform dequantisation).

    Its registry entry keeps it in float32 (`float32_only`: log-determinants need the digits),
    and the base's per-network autocast could not reach it anyway: its direct children are
    module lists, which are never called.
    """

    model: RealNVP

    @property
    def discrete_likelihood(self) -> bool:
        """True: the dequantised density bounds the probability of the 8-bit images."""
        return True

    def build_model(self) -> RealNVP:
        return RealNVP(**ARCHITECTURE)

    def build_optimizers(self) -> dict[str, torch.optim.Optimizer]:
        return {"adam": adam(self.model.parameters(), self.config)}

    def dequantize(self, images: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
        """uint8 (N, 28, 28) -> y (N, 1, 28, 28) in (0, 1): each value spread over its bin."""
        x = images.to(self.device, non_blocking=True).unsqueeze(1).float()
        noise = torch.rand(x.shape, generator=generator, device=self.device)
        return (x + noise) / 256

    def train_step(
        self, images: torch.Tensor, labels: torch.Tensor | None = None
    ) -> dict[str, float]:
        nll = -self.model.log_prob(self.dequantize(images, self.rng)).mean()
        self.step_optimizer("adam", nll, MAX_GRAD_NORM)
        return {k.BITS_PER_DIM: dequantized_bits_per_dim(nll.item())}

    def evaluate(self, split: Split, cancel: threading.Event | None = None) -> dict[str, float]:
        """Test bits/dim over the whole split (one dequantisation draw per image)."""
        rng = self.eval_generator()
        total = 0.0
        with self.evaluating():
            for images, _ in self.eval_batches(split, cancel):
                total -= self.model.log_prob(self.dequantize(images, rng)).sum().item()
        return {k.BITS_PER_DIM: dequantized_bits_per_dim(total / len(split))}

    @torch.no_grad()
    def encode(self, x: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        """The exact latent (N, 784) of images in [0, 1], each pixel at the centre of its bin."""
        return self.model((x * 255 + 0.5) / 256)[0]

    @torch.no_grad()
    def decode(self, z: torch.Tensor) -> torch.Tensor:
        """Images (N, 1, 28, 28) in [0, 1] of latents z: the exact inverse of `encode`."""
        y = self.model.inverse(z.reshape(len(z), -1))
        return ((y * 256 - 0.5) / 255).clamp(0, 1)

    def sample_images(self, z: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        """One inverse pass of prior draws z (N, 784)."""
        return self.decode(z)

    def reconstruct(self, x: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        """decode(encode(x)): x again, up to rounding, since the flow is a bijection."""
        return self.decode(self.encode(x))

    chain_words = ChainWords(
        state="before this scale (its latents and all finer ones at 0)",
        result="after its latents are added",
        step="{} of 784 latents drawn",
        state_caption="before {}",
        result_caption="{} drawn",
        verb="Decoding",
    )

    def samplers(self) -> dict[str, ScaleOrder]:
        """The scale-by-scale view of one inverse pass, at temperature 1 and cooled."""
        return {
            f"coarse to fine, temperature {t:g}": ScaleOrder(self.model.latent_parts(), t)
            for t in (1.0, COOL_TEMPERATURE)
        }

    def chain_origin(self, z: torch.Tensor) -> torch.Tensor:
        """Every latent at 0 (the prior's mode), decoded, in [-1, 1]."""
        return self.decode(torch.zeros_like(z)) * 2 - 1

    @torch.no_grad()
    def chain(
        self, z: torch.Tensor, sampler: ScaleOrder, generator: torch.Generator | None = None
    ) -> Iterator[StepOutput]:
        """The sample of z built up a scale at a time, coarsest first (the final block's
        latents, then each factored-out half from the 7x7 to the 14x14 scale): each step
        decodes z with its latents so far and the finer ones at 0, the prior's mode (Dinh et
        al. 2017's 'conceptual compression' figures keep the coarse latents of an image and
        resample the rest), in [-1, 1]; the last step is the sample itself."""
        z = z.reshape(len(z), -1) * sampler.temperature
        drawn = torch.zeros_like(z)
        for part in reversed(sampler.parts):
            drawn[:, part] = z[:, part]
            image = self.decode(drawn) * 2 - 1
            yield StepOutput(image, image)

    def grids(self, split: Split) -> dict[str, np.ndarray]:
        """Samples of the fixed noise at temperature 1 and cooled."""
        with self.evaluating():
            return {
                "samples": tile(self.decode(self.noise)),
                "cooled": tile(self.decode(self.noise * COOL_TEMPERATURE)),
            }
