"""The learner base: a model with its optimizers, random stream, step and evaluation."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import torch
from torch import nn

from trainer.config import RunConfig
from trainer.data import Split
from trainer.errors import CheckpointError
from trainer.grids import tile
from trainer.models.conditioning import NUM_CLASSES, required_labels, uniform_labels
from trainer.registry import ModelSpec, get_model

EVAL_BATCH = 1000
GRID_SIZE = 64  # 8x8 tiles
# Per-image values of one evaluation batch: f(prepared images, labels, eval stream).
PerImage = Callable[[torch.Tensor, torch.Tensor, torch.Generator], dict[str, torch.Tensor]]


def to_unit(images: torch.Tensor) -> torch.Tensor:
    """uint8 images (N, 28, 28) -> float (N, 1, 28, 28) in [0, 1]."""
    return images.unsqueeze(1).float().div_(255)


def fixed_noise(config: RunConfig, count: int = GRID_SIZE) -> torch.Tensor:
    """Latent draws that stay the same all run long, so grids of epochs compare (CPU)."""
    generator = torch.Generator().manual_seed(config.seed + 7919)
    return torch.randn(count, config.latent_dim, generator=generator)


class Learner:
    """Shared machinery; subclasses define the model, its step and its evaluation."""

    def __init__(self, config: RunConfig, device: torch.device) -> None:
        self.config = config
        self.device = device
        with torch.random.fork_rng(devices=[]):  # seeded initialisation, global stream untouched
            torch.manual_seed(config.seed)
            self.model = self.build_model().to(device)
        self.rng = torch.Generator(device=device).manual_seed(config.seed)
        self.optimizers = self.build_optimizers()
        self.noise = fixed_noise(config).to(device)

    @property
    def spec(self) -> ModelSpec:
        """This model's registry entry."""
        return get_model(self.config.model)

    def build_model(self) -> nn.Module:
        """The network(s) of this learner."""
        raise NotImplementedError

    def build_optimizers(self) -> dict[str, torch.optim.Optimizer]:
        """Optimizers by name."""
        raise NotImplementedError

    def adam_per_part(self, *parts: str) -> dict[str, torch.optim.Optimizer]:
        """One Adam for each named sub-network of the model (a GAN's two players)."""
        return {part: adam(getattr(self.model, part).parameters(), self.config) for part in parts}

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
        """Images (N, 1, 28, 28) in [0, 1] for latent draws `z` (and classes, if conditional)."""
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

    def evaluate(self, split: Split) -> dict[str, float]:
        """Test metrics over a whole split (on this learner's device)."""
        raise NotImplementedError

    def split_means(self, split: Split, per_image: PerImage) -> dict[str, float]:
        """Means over `split` of the values `per_image` gives each batch (in eval mode)."""
        sums: dict[str, float] = {}
        rng = self.eval_generator()
        with self.evaluating():
            for start in range(0, len(split), EVAL_BATCH):
                x = self.prepare(split.images[start : start + EVAL_BATCH], rng)
                labels = split.labels[start : start + EVAL_BATCH].to(self.device)
                for name, values in per_image(x, labels, rng).items():
                    sums[name] = sums.get(name, 0.0) + values.sum().item()
        return {name: total / len(split) for name, total in sums.items()}

    def grids(self, split: Split) -> dict[str, np.ndarray]:
        """Named uint8 image grids that show how the model is doing."""
        raise NotImplementedError

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
        """uint8 -> [0, 1] floats; binarised by sampling pixels when the config asks for it."""
        x = to_unit(images.to(self.device, non_blocking=True))
        if self.config.binarize:
            # Dynamic binarisation: each pixel ~ Bernoulli(intensity), redrawn every time, as in
            # the published NLL tables for binarised (Fashion-)MNIST (Salakhutdinov & Murray 2008).
            x = torch.bernoulli(x, generator=generator or self.rng)
        return x

    def eval_generator(self) -> torch.Generator:
        """A fresh stream for evaluation, so evaluating never shifts the training stream."""
        return torch.Generator(device=self.device).manual_seed(self.config.seed + 104729)

    @contextlib.contextmanager
    def evaluating(self) -> Iterator[None]:
        """Eval mode and no gradients, restoring the mode the model was in afterwards."""
        was_training = self.model.training
        self.model.eval()
        try:
            with torch.no_grad():
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
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore `state_dict()` output, explaining any mismatch."""
        try:
            self.model.load_state_dict(state["model"])
            for name, optimizer in self.optimizers.items():
                optimizer.load_state_dict(state["optimizers"][name])
        except (KeyError, RuntimeError, ValueError, TypeError) as exc:
            raise CheckpointError(
                f"the checkpoint's weights do not fit a {get_model(self.config.model).label} "
                f"with latent size {self.config.latent_dim}: {str(exc).splitlines()[0]}"
            ) from exc
        self._restore_rng(state)

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


def make_learner(config: RunConfig, device: torch.device) -> Learner:
    """The learner the registry names for `config.model`, on `device`."""
    return get_model(config.model).learner_class()(config, device)
