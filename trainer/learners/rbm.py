"""Trains the restricted Boltzmann machine by contrastive divergence (CD-k, Hinton 2002) or
persistent CD (Tieleman 2008) on binarised pixels; samples by Gibbs chains; scores the test set
by AIS (Salakhutdinov & Murray 2008)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import torch

from trainer.common import keys as k
from trainer.common.grids import PAD_VALUE, tile
from trainer.common.pixels import to_unit
from trainer.config.precision import FP32, Precision
from trainer.config.settings import RunConfig
from trainer.data.fashion_mnist import Split
from trainer.learners.base import GRID_SIZE, Learner, adam
from trainer.learners.chain_words import ChainWords
from trainer.models.ais import ais_log_z, base_rate_logits
from trainer.models.rbm import VISIBLE, TrainedRBM
from trainer.models.samplers import StepOutput

SAMPLE_STEPS = 1000  # Gibbs steps of sample_images (the report's cost column)
SHORT_STEPS = 100  # the chain view's quicker sampler
# AIS at every epoch's evaluation and in the report: K intermediate distributions, M chains.
# S&M used K = 14,500 and M = 100; K = 1,000 keeps an epoch's estimate to seconds on a CPU and
# its error bar says how far to trust it.
AIS_STEPS = 1000
AIS_CHAINS = 100
KEPT_IMAGES = 1000  # training images the free-energy gap compares with the test set
SAMPLING_SEED = 7877  # the Gibbs samplers' own stream, so sampling never shifts training


@dataclass(frozen=True)
class GibbsRun:
    """A Gibbs sampler for the chain view: its steps, numbered from 1."""

    steps: int

    @property
    def timesteps(self) -> torch.Tensor:
        """1, 2, ..., steps."""
        return torch.arange(1, self.steps + 1)


class RBMLearner(Learner):
    """A Bernoulli-Bernoulli RBM with config.latent_dim hidden units, trained with Adam on
    CD-k's (or PCD-k's) gradient estimate, k = config.cd_k."""

    model: TrainedRBM

    def __init__(
        self, config: RunConfig, device: torch.device, precision: Precision = FP32
    ) -> None:
        super().__init__(config, device, precision)
        self.sampling = torch.Generator(device=device).manual_seed(config.seed + SAMPLING_SEED)

    def build_model(self) -> TrainedRBM:
        return TrainedRBM(self.config.latent_dim, self.config.batch_size, KEPT_IMAGES)

    def build_optimizers(self) -> dict[str, torch.optim.Optimizer]:
        return {"adam": adam(self.model.rbm.parameters(), self.config)}

    def flat(self, images: torch.Tensor, generator: torch.Generator | None = None):
        """uint8 images -> binarised pixels (N, 784), as the VAE's `binarize` draws them."""
        return self.prepare(images, generator).reshape(len(images), VISIBLE)

    def train_step(
        self, images: torch.Tensor, labels: torch.Tensor | None = None
    ) -> dict[str, float]:
        rbm, v = self.model.rbm, self.flat(images)
        self.model.observe(images, to_unit(images.to(self.device)).reshape(len(images), VISIBLE))
        persistent = self.config.cd_chains == "persistent"
        with torch.no_grad():
            start = self.model.chains[: len(v)] if persistent else v
            _, negative = rbm.gibbs(start, self.config.cd_k, self.rng)
            if persistent:
                self.model.chains[: len(v)] = negative
            _, recon, _ = rbm.gibbs_step(v, self.rng)
        self.step_optimizer("adam", rbm.contrastive_divergence(v, negative))
        # Hinton's practical guide (sec. 5) warns this error is a poor guide to the likelihood:
        # it is shown as a training signal only.
        return {k.MSE: torch.mean((v - recon) ** 2).item()}

    def evaluate(self, split: Split, cancel: threading.Event | None = None) -> dict[str, float]:
        """Per test image (nats): the AIS NLL -log p(v) = F(v) + log Z with its +-3 s.e. band,
        the pseudo-log-likelihood, the free-energy gap to kept training images, and the
        reconstruction error (squared, per pixel, one Gibbs step from the image)."""
        rbm = self.model.rbm
        means = self.split_means(split, self._per_image, cancel)
        rng = self.eval_generator()
        with self.evaluating():
            kept = self.model.kept_images()
            train_f = rbm.free_energy(self.flat(kept, rng)).mean().item() if len(kept) else 0.0
            ais = ais_log_z(
                rbm, base_rate_logits(self.model.pixel_means()), AIS_STEPS, AIS_CHAINS, rng
            )
        nll = means["free_energy"] + ais.log_z
        gap = (means["free_energy"] - train_f) if len(kept) else 0.0
        return {
            k.AIS_NLL: nll,
            k.AIS_NLL_LOW: nll - ais.error_bar,
            k.AIS_NLL_HIGH: nll + ais.error_bar,
            k.LOG_Z: ais.log_z,
            k.PSEUDO_LL: means[k.PSEUDO_LL],
            k.FREE_ENERGY_GAP: gap,
            k.MSE: means[k.MSE],
        }

    def _per_image(
        self, x: torch.Tensor, labels: torch.Tensor, rng: torch.Generator
    ) -> dict[str, torch.Tensor]:
        rbm, v = self.model.rbm, x.reshape(len(x), VISIBLE)
        _, recon, _ = rbm.gibbs_step(v, rng)
        return {
            "free_energy": rbm.free_energy(v),
            k.PSEUDO_LL: rbm.pseudo_log_likelihood(v, rng),
            k.MSE: ((v - recon) ** 2).mean(dim=1),
        }

    chain_words = ChainWords(
        state="v (the chain's state: binary pixels)",
        result="p(v = 1 | h): the pixels' probabilities",
        step="Gibbs step {}",
        state_caption="v before step {}",
        result_caption="p(v|h), step {}",
        verb="Gibbs sampling",
    )

    def samplers(self) -> dict[str, GibbsRun]:
        """Gibbs chains of the sampler's length and a tenth of it."""
        return {f"Gibbs, {n} steps": GibbsRun(n) for n in (SAMPLE_STEPS, SHORT_STEPS)}

    def chain_origin(self, z: torch.Tensor) -> torch.Tensor:
        """p(v|h_0) in [-1, 1], h_0 = [z > 0]: a uniformly random hidden state, one step down."""
        h0 = (z.to(self.device) > 0).float()
        return self.model.rbm.visible_probs(h0).reshape(len(z), 1, 28, 28) * 2 - 1

    @torch.no_grad()
    def chain(
        self, z: torch.Tensor, sampler: GibbsRun, generator: torch.Generator | None = None
    ) -> Iterator[StepOutput]:
        """`sampler.steps` Gibbs steps from chain_origin(z): per step the binary state v_t and
        the probabilities p(v|h_t) it was drawn from, in [-1, 1]."""
        rbm = self.model.rbm
        v = (self.chain_origin(z) + 1).reshape(len(z), VISIBLE) / 2
        generator = generator if generator is not None else self.sampling
        for _ in range(sampler.steps):
            _, probs, v = rbm.gibbs_step(v, generator)
            shape = (len(z), 1, 28, 28)
            yield StepOutput(v.reshape(shape) * 2 - 1, probs.reshape(shape) * 2 - 1)

    @torch.no_grad()
    def sample_images(self, z: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        """p(v|h) after SAMPLE_STEPS Gibbs steps from the random hidden state [z > 0], in
        [0, 1], reporting the share of the steps done (see `reporting`). The chain's noise
        starts from the same seed every call, so the same z gives the same images (as every
        model's sample_images does: the evaluation's seeds and Explore's redraws rely on it)."""
        stream = torch.Generator(device=self.device).manual_seed(self.config.seed + SAMPLING_SEED)
        for step, output in enumerate(self.chain(z, GibbsRun(SAMPLE_STEPS), stream), 1):
            if step % 50 == 0:
                self.report_done(step / SAMPLE_STEPS)
            probs = output.pred_original_sample
        return (probs + 1) / 2

    def filters(self) -> torch.Tensor:
        """The first GRID_SIZE hidden units' weights as 28x28 images, each scaled to [0, 1];
        mid-grey tiles after the last unit of a model with fewer (the grid keeps its 8x8)."""
        weights = self.model.rbm.weight[:GRID_SIZE].detach()
        low = weights.min(dim=1, keepdim=True).values
        high = weights.max(dim=1, keepdim=True).values
        scaled = (weights - low) / (high - low).clamp_min(1e-12)
        blank = torch.full((GRID_SIZE - len(scaled), VISIBLE), PAD_VALUE, device=scaled.device)
        return torch.cat([scaled, blank]).reshape(GRID_SIZE, 1, 28, 28)

    def grids(self, split: Split) -> dict[str, np.ndarray]:
        """Gibbs samples (the same noise each epoch) and the hidden units' filters."""
        with self.evaluating():
            return {
                "samples": tile(self.sample_images(self.noise)),
                "filters": tile(self.filters()),
            }
