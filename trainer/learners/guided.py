"""Trains the class-conditional DDPM of classifier-free guidance; samples it guided."""

from __future__ import annotations

import torch

from trainer.learners.ddpm import DDPMLearner
from trainer.models.conditioning import NUM_CLASSES
from trainer.models.guidance import GuidedDenoiser, drop_labels
from trainer.models.samplers import Denoiser


class GuidedDDPMLearner(DDPMLearner):
    """The DDPM's U-Net with a class embedding, trained on L_simple of eps(x_t, t, y) with y
    hidden with probability p_uncond (Ho & Salimans 2022, Algorithm 1); sampled, inverted and
    watched with the guided prediction at weight `dials["guidance"]` (eq. 6).

    Its bound is the DDPM's, of -log p(x|y): the conditional prediction (w plays no part).
    """

    grid_columns = NUM_CLASSES
    num_classes = NUM_CLASSES

    def training_labels(self, labels: torch.Tensor | None, count: int) -> torch.Tensor:
        """The batch's classes, each hidden (the "no class" token) with probability p_uncond,
        so that the one network also learns the unconditional prediction."""
        shown = self.condition(labels, count)
        return drop_labels(shown, self.config.p_uncond, NUM_CLASSES, self.rng)

    def denoiser(self, labels: torch.Tensor | None = None) -> Denoiser:
        """The guided prediction of classes `labels` at the guidance dial's w; with no labels,
        the unconditional one (the "no class" token)."""
        if labels is None:
            return self.model
        return GuidedDenoiser(self.model, labels, self.dials["guidance"], NUM_CLASSES)

    def grid_inputs(self) -> tuple[torch.Tensor, torch.Tensor]:
        """The conditional models' class grid (Learner.class_grid): a row per class, the same
        fixed noise down each column."""
        z = self.noise[:NUM_CLASSES].repeat(NUM_CLASSES, 1)
        labels = torch.arange(NUM_CLASSES, device=self.device).repeat_interleave(NUM_CLASSES)
        return z, labels
