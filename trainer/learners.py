"""What the loop drives: a model with its optimizers, random stream, step and evaluation."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from typing import Any

import numpy as np
import torch
from torch import nn

from trainer import keys as k
from trainer.config import RunConfig
from trainer.data import CLASSES, Split, balanced_indices
from trainer.errors import CheckpointError, raise_if_cancelled
from trainer.grids import interleave_rows, tile
from trainer.metrics.reconstruction import PosteriorDraws
from trainer.models.gan import DCGAN
from trainer.models.vae import ConvVAE, gaussian_kl, reconstruction_nats
from trainer.precision import FP32, Precision, autocast_networks, full_precision
from trainer.registry import get_model

EVAL_BATCH = 1000
GRID_SIZE = 64  # 8x8 tiles


def to_unit(images: torch.Tensor) -> torch.Tensor:
    """uint8 images (N, 28, 28) -> float (N, 1, 28, 28) in [0, 1]."""
    return images.unsqueeze(1).float().div_(255)


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
        # One loss scale per optimizer: each adapts to its own gradients (the GAN has two).
        self.scalers = (
            {name: torch.amp.GradScaler(device.type) for name in self.optimizers}
            if precision.scaled
            else {}
        )
        self.noise = fixed_noise(config).to(device)

    def build_model(self) -> nn.Module:
        """The network(s) of this learner."""
        raise NotImplementedError

    def build_optimizers(self) -> dict[str, torch.optim.Optimizer]:
        """Optimizers by name."""
        raise NotImplementedError

    def train_step(
        self, images: torch.Tensor, labels: torch.Tensor | None = None
    ) -> dict[str, float]:
        """One optimisation step on uint8 images (and their labels); plain float losses.

        The loop always passes labels; unconditional models ignore them.
        """
        raise NotImplementedError

    def sample_images(self, z: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        """Images (N, 1, 28, 28) in [0, 1] for latent draws `z` (and classes, if conditional).

        Conditional learners take `labels` (and so do their `encode`/`reconstruct`) as class
        indices (N,) int64 or as class weights (N, 10) float, rows summing to 1: a soft label
        conditions on that mix of classes (`class_weights` turns either into weights), which
        is how the explorer morphs one class into another for a fixed z.
        """
        return self.model.sample(z)

    def evaluate(self, split: Split, cancel: threading.Event | None = None) -> dict[str, float]:
        """Test metrics over a whole split (on this learner's device), cancellable per batch."""
        raise NotImplementedError

    def grids(self, split: Split) -> dict[str, np.ndarray]:
        """Named uint8 image grids that show how the model is doing."""
        raise NotImplementedError

    def step_optimizer(self, name: str, loss: torch.Tensor) -> None:
        """Backpropagate `loss` into cleared gradients and step optimizer `name`."""
        optimizer, scaler = self.optimizers[name], self.scalers.get(name)
        optimizer.zero_grad(set_to_none=True)
        with self.precision.backward_context():
            (scaler.scale(loss) if scaler else loss).backward()
        if scaler:
            scaler.step(optimizer)  # skipped when the scaled gradients overflowed
            scaler.update()
        else:
            optimizer.step()

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

    def eval_batches(
        self, split: Split, cancel: threading.Event | None = None
    ) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        """(uint8 images, labels) of `split` in EVAL_BATCH slices, checking `cancel` before each."""
        for start in range(0, len(split), EVAL_BATCH):
            raise_if_cancelled(cancel)
            yield split.images[start : start + EVAL_BATCH], split.labels[start : start + EVAL_BATCH]

    def eval_generator(self) -> torch.Generator:
        """A fresh stream for evaluation, so evaluating never shifts the training stream."""
        return torch.Generator(device=self.device).manual_seed(self.config.seed + 104729)

    @contextlib.contextmanager
    def evaluating(self) -> Iterator[None]:
        """Eval mode, float32 and no gradients, restoring train mode afterwards."""
        self.model.eval()
        try:
            with torch.no_grad(), full_precision():
                yield
        finally:
            self.model.train()

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


class VAELearner(Learner):
    """Trains ConvVAE on the negative beta-ELBO."""

    model: ConvVAE

    def encode(self, x: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        """Posterior means of images `x` in [0, 1]: the codes the explorer shows."""
        return self.model.encode(x)[0]

    def reconstruct(self, x: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        """Pixel means decoded from the posterior means."""
        return self.model.reconstruct(x)

    def posterior_draws(
        self, x: torch.Tensor, labels: torch.Tensor | None, samples: int, generator: torch.Generator
    ) -> PosteriorDraws:
        """Posterior draws per image for the ELBO's terms and the IWAE bound (the evaluation)."""
        return self.model.posterior_draws(x, samples, generator)

    def build_model(self) -> ConvVAE:
        return ConvVAE(self.config.latent_dim)

    def build_optimizers(self) -> dict[str, torch.optim.Optimizer]:
        return {"adam": adam(self.model.parameters(), self.config)}

    def train_step(
        self, images: torch.Tensor, labels: torch.Tensor | None = None
    ) -> dict[str, float]:
        return self.optimise(self.prepare(images))

    def optimise(self, x: torch.Tensor) -> dict[str, float]:
        """One Adam step on a prepared batch (N, 1, 28, 28) in [0, 1]."""
        loss = self.model.loss(x, self.config.beta, self.rng)
        self.step_optimizer("adam", loss.total)
        recon, kl = loss.recon.item(), loss.kl.item()
        # -ELBO weighs KL by 1 whatever beta training uses; logged so curves need no model logic.
        return {k.LOSS: loss.total.item(), k.RECON: recon, k.KL: kl, k.NEG_ELBO: recon + kl}

    def evaluate(self, split: Split, cancel: threading.Event | None = None) -> dict[str, float]:
        """Test BCE (nats/image, one posterior sample), KL, -ELBO (beta = 1) and MSE per pixel."""
        sums = {k.BCE: 0.0, k.KL: 0.0, k.MSE: 0.0}
        rng = self.eval_generator()
        with self.evaluating():
            for images, _ in self.eval_batches(split, cancel):
                x = self.prepare(images, rng)
                mu, logvar = self.model.encode(x)
                z = self.model.reparameterize(mu, logvar, rng)
                sums[k.BCE] += reconstruction_nats(self.model.decode(z), x).sum().item()
                sums[k.KL] += gaussian_kl(mu, logvar).sum().item()
                mean_image = torch.sigmoid(self.model.decode(mu))
                sums[k.MSE] += (mean_image - x).pow(2).mean(dim=(1, 2, 3)).sum().item()
        metrics = {name: total / len(split) for name, total in sums.items()}
        metrics[k.NEG_ELBO] = metrics[k.BCE] + metrics[k.KL]
        return metrics

    def grids(self, split: Split) -> dict[str, np.ndarray]:
        """Prior samples from the fixed noise, and test originals above reconstructions."""
        picks = balanced_indices(split.labels.numpy(), GRID_SIZE // 2)
        with self.evaluating():
            samples = self.model.sample(self.noise)
            originals = to_unit(split.images[picks].to(self.device))
            recons = self.model.reconstruct(originals)
        return {
            "samples": tile(samples),
            "reconstructions": tile(interleave_rows(originals, recons)),
        }


class GANLearner(Learner):
    """Trains DCGAN: one discriminator step, then one generator step, per batch."""

    model: DCGAN

    def build_model(self) -> DCGAN:
        model = DCGAN(self.config.latent_dim)
        model.apply(_dcgan_init)
        return model

    def build_optimizers(self) -> dict[str, torch.optim.Optimizer]:
        return {
            "generator": adam(self.model.generator.parameters(), self.config),
            "discriminator": adam(self.model.discriminator.parameters(), self.config),
        }

    def latent(self, count: int) -> torch.Tensor:
        """Fresh prior draws from the training stream."""
        return torch.randn(count, self.config.latent_dim, generator=self.rng, device=self.device)

    def train_step(
        self, images: torch.Tensor, labels: torch.Tensor | None = None
    ) -> dict[str, float]:
        real = self.prepare(images) * 2 - 1
        fake = self.model.generator(self.latent(len(real)))
        d = self.model.discriminator_loss(real, fake.detach())
        self.step_optimizer("discriminator", d.loss)
        g_loss = self.model.generator_loss(fake)
        self.step_optimizer("generator", g_loss)
        return {
            k.D_LOSS: d.loss.item(),
            k.G_LOSS: g_loss.item(),
            k.D_REAL: d.d_real.item(),
            k.D_FAKE: d.d_fake.item(),
        }

    def evaluate(self, split: Split, cancel: threading.Event | None = None) -> dict[str, float]:
        """Mean D(x) on the split's real images and D(G(z)) on as many generated ones."""
        sums = {k.D_REAL: 0.0, k.D_FAKE: 0.0}
        rng = self.eval_generator()
        with self.evaluating():
            for images, _ in self.eval_batches(split, cancel):
                real = self.prepare(images, rng) * 2 - 1
                z = torch.randn(
                    len(real), self.config.latent_dim, generator=rng, device=self.device
                )
                sums[k.D_REAL] += torch.sigmoid(self.model.discriminator(real)).sum().item()
                fake = self.model.generator(z)
                sums[k.D_FAKE] += torch.sigmoid(self.model.discriminator(fake)).sum().item()
        return {name: total / len(split) for name, total in sums.items()}

    def grids(self, split: Split) -> dict[str, np.ndarray]:
        """Samples from the fixed noise."""
        with self.evaluating():
            return {"samples": tile(self.model.sample(self.noise))}


def _dcgan_init(module: nn.Module) -> None:
    """N(0, 0.02) weights and unit-mean BatchNorm scales (Radford et al. 2016, sec. 4)."""
    if isinstance(module, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear)):
        nn.init.normal_(module.weight, 0.0, 0.02)
        if module.bias is not None:
            nn.init.zeros_(module.bias)
    elif isinstance(module, (nn.BatchNorm1d, nn.BatchNorm2d)):
        nn.init.normal_(module.weight, 1.0, 0.02)
        nn.init.zeros_(module.bias)


def class_weights(labels: torch.Tensor, classes: int = len(CLASSES)) -> torch.Tensor:
    """Conditioning input (N, classes) float: one-hot rows for class indices (N,); soft
    weights (N, classes) pass through unchanged."""
    if labels.is_floating_point():
        return labels
    return nn.functional.one_hot(labels.long(), classes).float()


def adam(parameters: Any, config: RunConfig) -> torch.optim.Adam:
    """Adam with the run's learning rate and betas (the model's registry defaults)."""
    return torch.optim.Adam(parameters, lr=config.lr, betas=config.adam_betas)


def make_learner(config: RunConfig, device: torch.device, precision: Precision = FP32) -> Learner:
    """The learner the registry names for `config.model`, on `device`, training in `precision`."""
    return get_model(config.model).learner_class()(config, device, precision)
