"""Trains CycleGAN (Zhu et al. 2017) between the two domains of `config.domains`: per step one
generator update (G and F together) and one discriminator update (D_A and D_B together), as
the paper's code does; translates images either way."""

from __future__ import annotations

import threading

import numpy as np
import torch

from trainer.common import keys as k
from trainer.common.errors import FmgenError, raise_if_cancelled
from trainer.common.grids import tile
from trainer.common.pixels import to_unit
from trainer.config.settings import RunConfig
from trainer.data.domains import (
    DOMAIN_PAIRS,
    DomainPair,
    DomainTest,
    held_out_domains,
    training_pairs,
)
from trainer.data.fashion_mnist import Split
from trainer.learners.base import EVAL_BATCH, Learner, adam
from trainer.models.cycle_gan import CycleGAN, l1

DIRECTIONS = ("a_to_b", "b_to_a")  # G, F
GRID_COLUMNS = 8  # test images per grid row


class CycleGANLearner(Learner):
    """CycleGAN on rows of (domain-A image, domain-B image) built by `training_split`."""

    model: CycleGAN

    @staticmethod
    def training_split(config: RunConfig, train: Split) -> Split:
        """The unpaired domain rows this model trains on, images (N, 2, 28, 28)
        (trainer.data.domains.training_pairs), from Fashion-MNIST's training split."""
        return training_pairs(train, DOMAIN_PAIRS[config.domains], config.seed)

    @property
    def pair(self) -> DomainPair:
        """The two domains of this run."""
        return DOMAIN_PAIRS[self.config.domains]

    def domains(self) -> tuple[str, str]:
        """The display names of domain A and domain B, e.g. ('Sneaker', 'Ankle boot')."""
        return self.pair.a, self.pair.b

    def domain_test(self, test: Split) -> DomainTest:
        """Both domains' test images (uint8, with their classes) from Fashion-MNIST's test
        split: the images to translate in the explorer and the evaluation."""
        return held_out_domains(test, self.pair)

    def build_model(self) -> CycleGAN:
        return CycleGAN()

    def build_optimizers(self) -> dict[str, torch.optim.Optimizer]:
        return {
            "generators": adam(self.model.generators(), self.config),
            "discriminators": adam(self.model.discriminators(), self.config),
        }

    def train_step(
        self, images: torch.Tensor, labels: torch.Tensor | None = None
    ) -> dict[str, float]:
        """One step on rows of (A image, B image), uint8 (N, 2, 28, 28); labels unused."""
        if images.dim() != 4 or images.shape[1] != 2:
            raise FmgenError(
                "CycleGAN trains on rows of one image of each domain, (N, 2, 28, 28); "
                f"got {tuple(images.shape)} (build them with CycleGANLearner.training_split)"
            )
        a, b = (self.signed(images[:, side]) for side in (0, 1))
        g = self.model.generator_losses(a, b, self.config.cycle_weight)
        self.step_optimizer("generators", g.total)
        d = self.model.discriminator_losses(a, b, g.fake_a.detach(), g.fake_b.detach())
        self.step_optimizer("discriminators", d.d_a + d.d_b)
        return {
            k.G_ADVERSARIAL: g.g_adversarial.item(),
            k.F_ADVERSARIAL: g.f_adversarial.item(),
            k.D_A_LOSS: d.d_a.item(),
            k.D_B_LOSS: d.d_b.item(),
            k.CYCLE_L1: g.cycle.item(),
            k.IDENTITY_L1: g.identity.item(),
        }

    def unit(self, images: torch.Tensor) -> torch.Tensor:
        """uint8 (N, 28, 28) or (N, 1, 28, 28), or floats in [0, 1] (N, 1, 28, 28) -> floats
        (N, 1, 28, 28) in [0, 1] on the device."""
        if images.dtype == torch.uint8:
            return to_unit(images.reshape(len(images), 28, 28).to(self.device))
        return images.to(self.device).float().reshape(len(images), 1, 28, 28)

    def signed(self, images: torch.Tensor) -> torch.Tensor:
        """`unit(images)` in [-1, 1]: the generators' input."""
        return self.unit(images) * 2 - 1

    def translate(
        self, images: torch.Tensor, direction: str, cancel: threading.Event | None = None
    ) -> torch.Tensor:
        """`images` (uint8 (N, 28, 28) or (N, 1, 28, 28), or floats in [0, 1]) translated by G
        ('a_to_b') or F ('b_to_a'): floats (N, 1, 28, 28) in [0, 1] on the device, as
        sample_images gives, in batches of EVAL_BATCH (`cancel` checked before each)."""
        if direction not in DIRECTIONS:
            raise FmgenError(f"direction {direction!r} is not one of {', '.join(DIRECTIONS)}")
        batches = []
        with self.evaluating():
            for start in range(0, len(images), EVAL_BATCH):
                raise_if_cancelled(cancel)
                batch = self.signed(images[start : start + EVAL_BATCH])
                batches.append(self.model.translate(batch, direction))
        return torch.cat(batches)

    def sample_images(self, z: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        """A translator draws nothing from noise: it translates (see `translate`)."""
        raise FmgenError("CycleGAN draws no samples from noise: it translates images")

    def cycle(self, images: torch.Tensor, direction: str) -> tuple[torch.Tensor, torch.Tensor]:
        """The translation of `images` one way and its translation back, both in [0, 1]."""
        back = DIRECTIONS[1 - DIRECTIONS.index(direction)]
        there = self.translate(images, direction)
        return there, self.translate(there, back)

    def evaluate(self, split: Split, cancel: threading.Event | None = None) -> dict[str, float]:
        """Mean cycle error per pixel (in [0, 1] pixels) of each domain's test images:
        |F(G(a)) - a| and |G(F(b)) - b| (Eq. 2's terms on the test set)."""
        test = self.domain_test(split)
        errors = {}
        for key, images, direction in (
            (k.CYCLE_A, test.a, "a_to_b"),
            (k.CYCLE_B, test.b, "b_to_a"),
        ):
            total = 0.0
            for start in range(0, len(images), EVAL_BATCH):
                raise_if_cancelled(cancel)
                batch = images[start : start + EVAL_BATCH]
                _, back = self.cycle(batch, direction)
                total += l1(back, self.unit(batch)).item() * len(batch)
            errors[key] = total / max(len(images), 1)
        return errors

    def grids(self, split: Split) -> dict[str, np.ndarray]:
        """For each domain: GRID_COLUMNS test images, their translation and its way back."""
        test = self.domain_test(split)
        grids = {}
        for name, images in (("a_to_b", test.a), ("b_to_a", test.b)):
            x = images[:GRID_COLUMNS]
            there, back = self.cycle(x, name)
            rows = torch.cat([self.unit(x), there, back])
            grids[name] = tile(rows, nrow=GRID_COLUMNS)
        return grids
