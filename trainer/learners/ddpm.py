"""Trains the DDPM's U-Net on the denoising loss; samples with DPM-Solver++(2M), DDIM or the
ancestral chain; encodes by DDIM inversion."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import numpy as np
import torch

from trainer.common import keys as k
from trainer.common.errors import raise_if_cancelled
from trainer.common.grids import tile
from trainer.common.keys import DDPM_LOSS, DDPM_LOSS_BUCKETS
from trainer.common.pixels import signed_to_unit
from trainer.common.timesteps import strata
from trainer.data.fashion_mnist import Split, balanced_indices
from trainer.learners.base import EVAL_BATCH, Learner, adam
from trainer.learners.chain_words import DENOISING
from trainer.models.bits import bits_per_dim
from trainer.models.diffusion import DDPM
from trainer.models.samplers import (
    DDIMSampler,
    DDPMSampler,
    Denoiser,
    DPMSolverSampler,
    Sampler,
    StepOutput,
    denoise,
)
from trainer.models.unet import UNet

# The CPU default: 1.06 M parameters, ~190 M multiply-adds per image and network evaluation.
ARCHITECTURE = {"channels": 32, "multipliers": (1, 2, 2), "blocks": 1}
SAMPLE_STEPS = 50  # the default sampler (sample_images): DDIM, deterministic, 50 steps
# DPM-Solver++(2M)'s steps in the explorer's list: on a trained DDPM its images were closer to
# the ODE's solution than DDIM-50's (benchmarks/results/dpm_solver.txt); not yet the default,
# as its FID against DDIM-50's is still to be measured
FAST_STEPS = 15
GRID_STEPS = 10  # the epoch's live grid: DDIM in 10 steps, seconds on a CPU
BOUND_IMAGES = 200  # the class-balanced test subset of the bound (11 evaluations per image)
MAX_GRAD_NORM = 1.0  # Ho et al. 2020's code clips gradients at norm 1
CHAIN_ROWS = 4  # samples whose denoising the chain grid shows (x_t above predicted x_0)


class DDPMLearner(Learner):
    """Epsilon prediction with L_simple (Ho et al. 2020, Algorithm 1) on images in [-1, 1]."""

    model: DDPM
    grid_columns = 8  # the samples grid's images per row
    num_classes: int | None = None  # the classes of a class-conditional U-Net (None: none)

    @property
    def discrete_likelihood(self) -> bool:
        """True: Ho et al.'s discretised decoder makes the bound one on the 8-bit images."""
        return True

    def build_model(self) -> DDPM:
        return DDPM(UNet(**ARCHITECTURE, num_classes=self.num_classes))

    def build_optimizers(self) -> dict[str, torch.optim.Optimizer]:
        return {"adam": adam(self.model.unet.parameters(), self.config)}

    def scaled(self, images: torch.Tensor, generator: torch.Generator | None = None):
        """uint8 images -> (N, 1, 28, 28) in [-1, 1], the scale of the noise."""
        return self.prepare(images, generator) * 2 - 1

    def train_step(
        self, images: torch.Tensor, labels: torch.Tensor | None = None
    ) -> dict[str, float]:
        x0 = self.scaled(images)
        loss = self.model.loss(x0, self.rng, self.training_labels(labels, len(x0)))
        self.step_optimizer("adam", loss, MAX_GRAD_NORM)
        self.model.update_average()
        return {DDPM_LOSS: loss.item()}

    def training_labels(self, labels: torch.Tensor | None, count: int) -> torch.Tensor | None:
        """The classes the U-Net learns a batch as: none, the DDPM is unconditional."""
        return None

    def denoiser(self, labels: torch.Tensor | None = None) -> Denoiser:
        """What the samplers and the inversion call for the noise in x_t: the model itself."""
        return self.model

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """As Learner's; a checkpoint from before the weight average starts it at its U-Net."""
        weights = state.get("model") if isinstance(state, dict) else None
        if isinstance(weights, dict) and not any(key.startswith("averaged.") for key in weights):
            state = {**state, "model": {**weights, **unaveraged(weights)}}
        super().load_state_dict(state)

    def evaluate(self, split: Split, cancel: threading.Event | None = None) -> dict[str, float]:
        """The bound in bits/dim with its standard error, and the denoising loss in each range
        of t (and over all t: L_simple), on the first BOUND_IMAGES class-balanced test images."""
        picks = balanced_indices(split.labels.numpy(), BOUND_IMAGES)
        rng = self.eval_generator()
        nats, losses = [], []
        with self.evaluating():
            for start in range(0, len(picks), EVAL_BATCH):
                raise_if_cancelled(cancel)
                batch = picks[start : start + EVAL_BATCH]
                x0 = self.scaled(split.images[batch])
                labels = self.condition(split.labels[batch], len(x0))  # None: unconditional
                estimate = self.model.bound(x0, rng, labels)
                nats.append(estimate.nats)
                losses.append(estimate.losses)
                self.report_done(min(start + EVAL_BATCH, len(picks)) / len(picks))
        bits = bits_per_dim(torch.cat(nats).double().cpu().numpy())
        range_losses = torch.cat(losses, dim=1).mean(dim=1).tolist()
        widths = [high - low for low, high in strata(self.model.schedule.steps)]
        return {
            k.BITS_PER_DIM: float(bits.mean()),
            k.BITS_PER_DIM_SE: float(bits.std(ddof=1) / np.sqrt(len(bits))),
            DDPM_LOSS: float(np.average(range_losses, weights=widths)),  # t uniform
            **dict(zip(DDPM_LOSS_BUCKETS, range_losses, strict=True)),
        }

    def ddim(self, steps: int = SAMPLE_STEPS, eta: float = 0.0) -> DDIMSampler:
        """A DDIM sampler of this model's schedule (Song et al. 2021)."""
        # x_0 unclipped, as in Song et al.'s code: clipping would break the inversion (encode)
        sampler = DDIMSampler(self.model.schedule, eta, clip=False)
        sampler.set_timesteps(steps)
        return sampler

    def ancestral(self) -> DDPMSampler:
        """The full T-step ancestral sampler (Ho et al. 2020, Algorithm 2)."""
        return DDPMSampler(self.model.schedule)

    def dpm_solver(self, steps: int = FAST_STEPS) -> DPMSolverSampler:
        """A DPM-Solver++(2M) sampler of this model's schedule (Lu et al. 2022)."""
        sampler = DPMSolverSampler(self.model.schedule)
        sampler.set_timesteps(steps)
        return sampler

    def samplers(self) -> dict[str, Sampler]:
        """The samplers this model offers, by name: the full chain, DDIM at two speeds and
        DPM-Solver++(2M)."""
        return {
            f"ancestral, {self.model.schedule.steps} steps": self.ancestral(),
            f"DDIM, {SAMPLE_STEPS} steps": self.ddim(SAMPLE_STEPS),
            f"DDIM, {GRID_STEPS} steps": self.ddim(GRID_STEPS),
            f"DPM-Solver++(2M), {FAST_STEPS} steps": self.dpm_solver(FAST_STEPS),
        }

    chain_words = DENOISING

    def chain_origin(self, z: torch.Tensor) -> torch.Tensor:
        """x_T = z (N, 784) as images (N, 1, 28, 28): the chain starts from the noise."""
        return z.reshape(len(z), 1, 28, 28)

    @torch.no_grad()
    def chain(
        self,
        z: torch.Tensor,
        sampler: Sampler,
        generator: torch.Generator | None = None,
        labels: torch.Tensor | None = None,
    ) -> Iterator[StepOutput]:
        """Every step of denoising x_T = z (N, 784): x_t and the predicted x_0, in [-1, 1]
        (with `denoiser(labels)`)."""
        x_t = z.reshape(len(z), 1, 28, 28)
        return denoise(self.denoiser(labels), sampler, x_t, generator)

    @torch.no_grad()
    def sample_images(self, z: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        """x_0 in [0, 1] of x_T = z by deterministic DDIM in SAMPLE_STEPS steps, reporting the
        share of the steps done (see `reporting`)."""
        sampler = self.ddim()
        chain = self.chain(z, sampler, labels=self.condition(labels, len(z)))
        for step, output in enumerate(chain, 1):
            self.report_done(step / len(sampler.timesteps))
            x = output.prev_sample
        return signed_to_unit(x)

    @torch.no_grad()
    def encode(self, x: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        """x_T (N, 784) of images x in [0, 1] by DDIM inversion in SAMPLE_STEPS steps: the
        noise that `sample_images` decodes back to about x (Song et al. 2021, sec. 4.3)."""
        x0 = x.to(self.device) * 2 - 1
        denoiser = self.denoiser(self.condition(labels, len(x)))
        return self.ddim().invert(denoiser, x0).reshape(len(x), -1)

    def reconstruct(self, x: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        """sample_images(encode(x)): the DDIM round trip, x up to the inversion's error."""
        return self.sample_images(self.encode(x, labels), labels)

    def grids(self, split: Split) -> dict[str, np.ndarray]:
        """DDIM samples of the fixed noise, and snapshots of the chain of a few of them."""
        z, labels = self.grid_inputs()
        with self.evaluating():
            steps = list(self.chain(z, self.ddim(GRID_STEPS), labels=labels))
        picks = np.round(np.linspace(0, len(steps) - 1, 8)).astype(int)
        rows = [
            torch.stack([getattr(steps[i], part)[n] for i in picks])
            for n in range(CHAIN_ROWS)
            for part in ("prev_sample", "pred_original_sample")
        ]
        return {
            "samples": tile(signed_to_unit(steps[-1].prev_sample), self.grid_columns),
            "chain": tile(signed_to_unit(torch.cat(rows))),
        }

    def grid_inputs(self) -> tuple[torch.Tensor, torch.Tensor | None]:
        """The noise of the epoch's samples grid and their classes: the fixed noise, none."""
        return self.noise, None


def unaveraged(weights: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """The weight average's entries for U-Net `weights` that were never averaged: a copy whose
    next update starts the average afresh (n_averaged = 0)."""
    copies = {
        f"averaged.module.{key.removeprefix('unet.')}": value
        for key, value in weights.items()
        if key.startswith("unet.")
    }
    return {**copies, "averaged.n_averaged": torch.tensor(0, dtype=torch.long)}
