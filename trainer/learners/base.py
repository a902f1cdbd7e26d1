"""The learner base: a model with its optimizers, random stream, step and evaluation."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import torch
from torch import nn

from trainer.common.errors import CheckpointError, raise_if_cancelled
from trainer.common.grids import tile
from trainer.common.pixels import to_unit
from trainer.config.precision import FP32, Precision, autocast_networks, full_precision
from trainer.config.settings import RunConfig
from trainer.data.fashion_mnist import Split
from trainer.learners.stepping import load_mismatch, optimizer_step
from trainer.models.conditioning import NUM_CLASSES, required_labels, uniform_labels
from trainer.registry import ModelSpec, get_model

EVAL_BATCH = 1000
GRID_SIZE = 64  # 8x8 tiles
# Per-image values of one evaluation batch: f(prepared images, labels, eval stream).
PerImage = Callable[[torch.Tensor, torch.Tensor, torch.Generator], dict[str, torch.Tensor]]


def fixed_noise(config: RunConfig, count: int = GRID_SIZE) -> torch.Tensor:
    """Latent draws that stay the same all run long, so grids of epochs compare (CPU)."""
    generator = torch.Generator().manual_seed(config.seed + 7919)
    return torch.randn(count, config.latent_dim, generator=generator)


class Learner:
    """Shared machinery; subclasses define the model, its step and its evaluation.

    Encoder models (ModelSpec.has_encoder) also give encode, reconstruct and posterior_draws.

    Precision comes free: in train mode each network of `self.model` (its direct children)
    runs its forward pass in the run's `precision` (bf16/fp16 autocast, or TF32) and returns
    float32, so losses, KL terms and likelihoods computed from its outputs are float32. A
    train_step backpropagates through `self.step_optimizer(name, loss)`, which also scales fp16
    losses. `evaluating()` always computes in float32, so test metrics are never autocast.
    (A gradient penalty taken with torch.autograd.grad under fp16 should scale its outputs
    first, as in the PyTorch AMP examples.)
    """

    def __init__(
        self, config: RunConfig, device: torch.device, precision: Precision = FP32
    ) -> None:
        self.config = config
        self.device = device
        self.precision = precision
        with torch.random.fork_rng(devices=[]):  # seeded initialisation, global stream untouched
            torch.manual_seed(config.seed)
            self.model = self.build_model().to(device)
        autocast_networks(self.model, precision, device.type)
        self.rng = torch.Generator(device=device).manual_seed(config.seed)
        self.optimizers = self.build_optimizers()
        # One loss scale per optimizer: each adapts to its own gradients (a GAN has two).
        self.scalers = (
            {name: torch.amp.GradScaler(device.type) for name in self.optimizers}
            if precision.scaled
            else {}
        )
        self.noise = fixed_noise(config).to(device)
        # The sampler's knobs (ModelSpec.dials) at their defaults; sample_images reads them and
        # the explorer and the evaluation's sweep set them.
        self.dials: dict[str, float | None] = {dial.name: dial.default for dial in self.spec.dials}
        self._progress: Callable[[float], None] | None = None  # set inside `reporting`

    @property
    def spec(self) -> ModelSpec:
        """This model's registry entry."""
        return get_model(self.config.model)

    @property
    def trained_parameters(self) -> int:
        """How many weights training sets (a DDPM's weight average is a copy, not more model)."""
        return sum(p.numel() for p in self.model.parameters() if p.requires_grad)

    def build_model(self) -> nn.Module:
        """The network(s) of this learner."""
        raise NotImplementedError

    def build_optimizers(self) -> dict[str, torch.optim.Optimizer]:
        """Optimizers by name."""
        raise NotImplementedError

    def adam_per_part(self, *parts: str) -> dict[str, torch.optim.Optimizer]:
        """One Adam for each named sub-network of the model (a GAN's two players)."""
        return {part: adam(getattr(self.model, part).parameters(), self.config) for part in parts}

    @staticmethod
    def training_split(config: RunConfig, train: Split) -> Split:
        """What the loop trains on, from Fashion-MNIST's training split: the split itself; a
        translator's rows of its two domains (CycleGANLearner)."""
        return train

    def train_step(
        self, images: torch.Tensor, labels: torch.Tensor | None = None
    ) -> dict[str, float]:
        """One optimisation step on uint8 images (and their labels); plain float losses.

        The loop always passes labels; unconditional models ignore them.
        """
        raise NotImplementedError

    def latent(self, count: int) -> torch.Tensor:
        """Fresh prior draws from the training stream."""
        return torch.randn(count, self.config.latent_dim, generator=self.rng, device=self.device)

    def condition(self, labels: torch.Tensor | None, count: int) -> torch.Tensor | None:
        """The labels a conditional model needs (checked, on the device); None for the others."""
        if not self.spec.conditional:
            return None
        return required_labels(labels, count).to(self.device)

    def sample_images(self, z: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        """Images (N, 1, 28, 28) in [0, 1] for latent draws `z` (and classes, if conditional).

        Conditional learners take `labels` (and so do their `encode`/`reconstruct`) as class
        indices (N,) int64 or as class weights (N, 10) float, rows summing to 1: a soft label
        conditions on that mix of classes, which is how the explorer morphs one class into
        another for a fixed z.
        """
        if self.spec.conditional:
            return self.model.sample(z, self.condition(labels, len(z)))
        return self.model.sample(z)

    def generate(self, count: int, generator: torch.Generator | None = None) -> torch.Tensor:
        """`count` samples (count, 1, 28, 28) in [0, 1] from prior draws, on the device.

        What sample-quality metrics judge: z from `generator` (a fresh evaluation stream if
        None) and, for a conditional model, every class equally often in random order.
        """
        rng = generator or self.eval_generator()
        z = torch.randn(count, self.config.latent_dim, generator=rng, device=rng.device)
        labels = uniform_labels(count, rng) if self.spec.conditional else None
        batches = []
        with self.evaluating():
            for start in range(0, count, EVAL_BATCH):
                picks = slice(start, start + EVAL_BATCH)
                y = None if labels is None else labels[picks]
                batches.append(self.sample_images(z[picks].to(self.device), y))
        return torch.cat(batches)

    @property
    def discrete_likelihood(self) -> bool:
        """Whether its likelihood is a probability of the pixels as evaluated (binarised, or
        8-bit under a discretised decoder), so its nats convert to bits/dim."""
        return self.config.binarize

    def evaluate(self, split: Split, cancel: threading.Event | None = None) -> dict[str, float]:
        """Test metrics over a whole split (on this learner's device), cancellable per batch."""
        raise NotImplementedError

    def split_means(
        self, split: Split, per_image: PerImage, cancel: threading.Event | None = None
    ) -> dict[str, float]:
        """Means over `split` of the values `per_image` gives each batch (in eval mode)."""
        sums: dict[str, float] = {}
        rng = self.eval_generator()
        with self.evaluating():
            for images, labels in self.eval_batches(split, cancel):
                x = self.prepare(images, rng)
                for name, values in per_image(x, labels.to(self.device), rng).items():
                    sums[name] = sums.get(name, 0.0) + values.sum().item()
        return {name: total / len(split) for name, total in sums.items()}

    def grids(self, split: Split) -> dict[str, np.ndarray]:
        """Named uint8 image grids that show how the model is doing."""
        raise NotImplementedError

    def step_optimizer(
        self, name: str, loss: torch.Tensor, max_grad_norm: float | None = None
    ) -> None:
        """Backpropagate `loss` into cleared gradients and step optimizer `name` (its loss
        scale, if fp16), clipping the gradients' norm to `max_grad_norm` when given."""
        optimizer_step(
            self.optimizers[name], self.scalers.get(name), self.precision, loss, max_grad_norm
        )

    def noise_grid(self) -> np.ndarray:
        """Samples from the fixed noise, 8 a row."""
        with self.evaluating():
            return tile(self.sample_images(self.noise))

    def class_grid(self, columns: int = NUM_CLASSES) -> np.ndarray:
        """Samples of a conditional model: a row per class, a fixed noise vector per column."""
        z = self.noise[:columns].repeat(NUM_CLASSES, 1)
        labels = torch.arange(NUM_CLASSES, device=self.device).repeat_interleave(columns)
        with self.evaluating():
            return tile(self.sample_images(z, labels), nrow=columns)

    def prepare(
        self, images: torch.Tensor, generator: torch.Generator | None = None
    ) -> torch.Tensor:
        """uint8 -> [0, 1] floats on the device; binarised by sampling pixels when the config asks
        for it, drawn on `generator`'s device (a CPU stream gives the same pixels anywhere)."""
        if not self.config.binarize:
            return to_unit(images.to(self.device, non_blocking=True))
        generator = generator or self.rng
        x = to_unit(images.to(generator.device))
        # Dynamic binarisation: each pixel ~ Bernoulli(intensity), redrawn every time, as in
        # the published NLL tables for binarised (Fashion-)MNIST (Salakhutdinov & Murray 2008).
        return torch.bernoulli(x, generator=generator).to(self.device, non_blocking=True)

    def eval_batches(
        self, split: Split, cancel: threading.Event | None = None
    ) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        """(uint8 images, labels) of `split` in EVAL_BATCH slices, checking `cancel` before each
        and reporting the share done after each (see `reporting`)."""
        for start in range(0, len(split), EVAL_BATCH):
            raise_if_cancelled(cancel)
            yield split.images[start : start + EVAL_BATCH], split.labels[start : start + EVAL_BATCH]
            self.report_done(min(start + EVAL_BATCH, len(split)) / len(split))

    @contextlib.contextmanager
    def reporting(self, progress: Callable[[float], None]) -> Iterator[None]:
        """Inside, `evaluate` reports the share of the split done to `progress` (a test
        likelihood can take minutes: the flow's over 10,000 images on a CPU)."""
        outer, self._progress = self._progress, progress
        try:
            yield
        finally:
            self._progress = outer  # a caller's own reporting goes on after a nested one

    def report_done(self, fraction: float) -> None:
        """Tell the `reporting` caller, if any, that `fraction` of an evaluation is done."""
        if self._progress:
            self._progress(fraction)

    def eval_generator(self) -> torch.Generator:
        """A fresh stream for evaluation, so evaluating never shifts the training stream."""
        return torch.Generator(device=self.device).manual_seed(self.config.seed + 104729)

    @contextlib.contextmanager
    def evaluating(self) -> Iterator[None]:
        """Eval mode, float32 and no gradients, restoring the model's mode afterwards."""
        was_training = self.model.training
        self.model.eval()
        try:
            with torch.no_grad(), full_precision():
                yield
        finally:
            self.model.train(was_training)

    def state_dict(self) -> dict[str, Any]:
        """Weights, optimizer states and the random stream: all a resume needs."""
        return {
            "model": self.model.state_dict(),
            "optimizers": {name: opt.state_dict() for name, opt in self.optimizers.items()},
            "rng": self.rng.get_state(),
            "rng_device": self.device.type,
            "scalers": {name: scaler.state_dict() for name, scaler in self.scalers.items()},
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore `state_dict()` output, explaining any mismatch."""
        try:
            self.model.load_state_dict(state["model"])
            for name, optimizer in self.optimizers.items():
                optimizer.load_state_dict(state["optimizers"][name])
            for name, scaler in state.get("scalers", {}).items():
                if name in self.scalers:  # a run trained in fp16 may go on in another precision
                    self.scalers[name].load_state_dict(scaler)
            self._restore_rng(state)
        except (KeyError, RuntimeError, ValueError, TypeError, AttributeError) as exc:
            raise CheckpointError(
                f"the checkpoint's weights do not fit a {get_model(self.config.model).label} "
                f"with latent size {self.config.latent_dim}: {load_mismatch(exc)}"
            ) from exc

    def _restore_rng(self, state: dict[str, Any]) -> None:
        """Continue the saved random stream; on another kind of device, start a seeded one.

        A CUDA generator's state does not fit a CPU generator (or the reverse), and a run
        moved to another device cannot replay the same numbers anyway.
        """
        saved = state["rng"].cpu()
        same_kind = state.get("rng_device", self.device.type) == self.device.type
        if same_kind and saved.numel() == self.rng.get_state().numel():  # older files: by size
            self.rng.set_state(saved)
        else:
            self.rng.manual_seed(self.config.seed + 1_000_003)


def adam(parameters: Any, config: RunConfig) -> torch.optim.Adam:
    """Adam with the run's learning rate and betas (the model's registry defaults)."""
    return torch.optim.Adam(parameters, lr=config.lr, betas=config.adam_betas)
