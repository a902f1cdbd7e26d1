"""DDPM (Ho et al. 2020): the forward noising process, the training loss and the bound.

Timestep index t = 0..T-1 stands for the paper's t = 1..T (diffusers' convention). Images
x_0 live in [-1, 1]; x_t = sqrt(abar_t) x_0 + sqrt(1 - abar_t) eps (eq. 4).
"""

from __future__ import annotations

import math
from typing import NamedTuple

import torch
from torch import nn
from torch.optim.swa_utils import AveragedModel

from trainer.common.timesteps import STEPS, strata
from trainer.models.discretized import discretized_gaussian_log_prob
from trainer.models.unet import UNet

# Ho et al. 2020 (sec. 4) sample from an exponential moving average of the weights, decay 0.9999.
EMA_DECAY = 0.9999


def warmed_up_ema(max_decay: float = EMA_DECAY):
    """AveragedModel's multi_avg_fn: an EMA with decay min(max_decay, (1 + n) / (10 + n)) after
    n updates (TensorFlow's ExponentialMovingAverage with num_updates).

    Under the warm-up the steps up to j of n hold about (j/n)^9 of the average (the last tenth
    about 60%); a fixed 0.9999 would leave most of a 30-minute CPU run's average (1,500 steps)
    on the random initial weights.
    """

    def average(averaged: list[torch.Tensor], current: list[torch.Tensor], count: torch.Tensor):
        if not averaged[0].is_floating_point():  # a group of counters (batch norm's batches seen)
            torch._foreach_copy_(averaged, current)
            return
        updates = count.item()
        decay = min(max_decay, (1 + updates) / (10 + updates))
        torch._foreach_lerp_(averaged, current, 1 - decay)

    return average


class NoiseSchedule(nn.Module):
    """Linear betas from 1e-4 to 0.02 over T steps (Ho et al. 2020, sec. 4), and what follows
    from them.

    Everything is computed in float64: in float32, 1 - abar_t near t = 1 keeps only three
    digits. Per-image lookups use float32 buffers that move with the model; samplers, whose
    t is one number per step, read the float64 values (`alpha_bar`) on the CPU.
    """

    def __init__(self, steps: int = STEPS, beta_start: float = 1e-4, beta_end: float = 0.02):
        super().__init__()
        betas = torch.linspace(beta_start, beta_end, steps, dtype=torch.float64)
        alpha_bars = torch.cumprod(1 - betas, dim=0)
        alpha_bars_prev = torch.cat([torch.ones(1, dtype=torch.float64), alpha_bars[:-1]])
        # beta-tilde_t, the variance of q(x_{t-1} | x_t, x_0) (eq. 7); 0 at t = 1, where it is
        # replaced by its t = 2 value wherever a log is needed (as in Ho et al.'s code)
        posterior_variance = betas * (1 - alpha_bars_prev) / (1 - alpha_bars)
        clipped = torch.cat([posterior_variance[1:2], posterior_variance[1:]])
        self.steps = steps
        self.alpha_bars64 = alpha_bars
        self.posterior_variance64 = posterior_variance
        for name, values in (
            ("sqrt_alpha_bars", alpha_bars.sqrt()),
            ("sqrt_one_minus_alpha_bars", (1 - alpha_bars).sqrt()),
            # the mean of q(x_{t-1} | x_t, x_0) is coef_x0 x_0 + coef_xt x_t (eq. 7)
            ("coef_x0", alpha_bars_prev.sqrt() * betas / (1 - alpha_bars)),
            ("coef_xt", (1 - betas).sqrt() * (1 - alpha_bars_prev) / (1 - alpha_bars)),
            ("posterior_variance", posterior_variance),
            ("posterior_log_variance", clipped.log()),
        ):
            self.register_buffer(name, values.float(), persistent=False)

    def alpha_bar(self, t: int) -> float:
        """abar_t in float64, and 1 for t < 0 (clean data, before the first step)."""
        return self.alpha_bars64[t].item() if t >= 0 else 1.0

    def at(self, values: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
        """values[t] shaped (N, 1, 1, 1) to broadcast over images."""
        return values[t].reshape(-1, 1, 1, 1)

    def noisy(self, x0: torch.Tensor, t: torch.Tensor, noise: torch.Tensor) -> torch.Tensor:
        """A draw of q(x_t | x_0) for given noise (eq. 4)."""
        return (
            self.at(self.sqrt_alpha_bars, t) * x0
            + self.at(self.sqrt_one_minus_alpha_bars, t) * noise
        )

    def predict_x0(self, x_t: torch.Tensor, t: torch.Tensor, eps: torch.Tensor) -> torch.Tensor:
        """The x_0 that noise `eps` implies for x_t (eq. 4 solved for x_0)."""
        noise = self.at(self.sqrt_one_minus_alpha_bars, t) * eps
        return (x_t - noise) / self.at(self.sqrt_alpha_bars, t)

    def posterior_mean(self, x0: torch.Tensor, x_t: torch.Tensor, t: torch.Tensor):
        """The mean of q(x_{t-1} | x_t, x_0) (eq. 7)."""
        return self.at(self.coef_x0, t) * x0 + self.at(self.coef_xt, t) * x_t


class BoundEstimate(NamedTuple):
    """Per image: the bound on -log P(x_0) in nats, and the denoising loss per stratum."""

    nats: torch.Tensor  # (N,)
    losses: torch.Tensor  # (strata, N): mean squared noise error at one t in each range of t


class DDPM(nn.Module):
    """A noise-predicting U-Net with its schedule; trained on L_simple (Ho et al. eq. 14).

    In train mode the U-Net being optimised predicts the noise; in eval mode (sampling, the
    bound, inversion) its weight average `averaged` does, as in Ho et al.'s samples.
    """

    def __init__(self, unet: UNet, schedule: NoiseSchedule | None = None) -> None:
        super().__init__()
        self.unet = unet
        self.schedule = schedule or NoiseSchedule()
        self.averaged = AveragedModel(unet, multi_avg_fn=warmed_up_ema(), use_buffers=True)
        self.averaged.requires_grad_(False)

    def forward(
        self, x_t: torch.Tensor, t: torch.Tensor, labels: torch.Tensor | None = None
    ) -> torch.Tensor:
        """The predicted noise eps_theta(x_t, t), or eps_theta(x_t, t, y) of a conditional U-Net
        (`labels` None: its "no class" token)."""
        network = self.unet if self.training else self.averaged
        return network(x_t, t) if labels is None else network(x_t, t, labels)

    def update_average(self) -> None:
        """Move the weight average towards the U-Net's weights: after each optimiser step."""
        self.averaged.update_parameters(self.unet)

    def noise_error(
        self,
        x0: torch.Tensor,
        t: torch.Tensor,
        generator: torch.Generator,
        labels: torch.Tensor | None = None,
    ):
        """(x_t, eps_theta(x_t, t[, y]), mean squared error per image) for a fresh noise draw."""
        noise = torch.randn(x0.shape, generator=generator, device=x0.device)
        x_t = self.schedule.noisy(x0, t, noise)
        eps = self(x_t, t, labels)
        return x_t, eps, (eps - noise).pow(2).flatten(1).mean(dim=1)

    def loss(
        self, x0: torch.Tensor, generator: torch.Generator, labels: torch.Tensor | None = None
    ) -> torch.Tensor:
        """L_simple: ||eps - eps_theta(x_t, t[, y])||^2 per pixel, t uniform (Algorithm 1)."""
        t = torch.randint(0, self.schedule.steps, (len(x0),), generator=generator, device=x0.device)
        return self.noise_error(x0, t, generator, labels)[2].mean()

    def prior_kl(self, x0: torch.Tensor) -> torch.Tensor:
        """L_T = KL(q(x_T | x_0) || N(0, I)) per image in nats."""
        alpha_bar = self.schedule.alpha_bar(self.schedule.steps - 1)
        kl = 0.5 * (alpha_bar * x0.pow(2) - alpha_bar - math.log(1 - alpha_bar))
        return kl.flatten(1).sum(dim=1)

    def step_kl(self, x0, x_t, t, eps) -> torch.Tensor:
        """L_{t-1} = KL(q(x_{t-1} | x_t, x_0) || p(x_{t-1} | x_t)) per image (eq. 5), both with
        variance beta-tilde_t: the squared distance of the means over 2 beta-tilde_t."""
        schedule = self.schedule
        mean_q = schedule.posterior_mean(x0, x_t, t)
        mean_p = schedule.posterior_mean(schedule.predict_x0(x_t, t, eps), x_t, t)
        variance = schedule.at(schedule.posterior_variance, t)
        return ((mean_q - mean_p).pow(2) / (2 * variance)).flatten(1).sum(dim=1)

    def decoder_nll(self, x0, x_1, eps) -> torch.Tensor:
        """L_0 = -log p(x_0 | x_1): a Gaussian integrated over each 8-bit value's bin (eq. 13)."""
        t = torch.zeros(len(x0), dtype=torch.long, device=x0.device)
        schedule = self.schedule
        mean = schedule.posterior_mean(schedule.predict_x0(x_1, t, eps), x_1, t)
        log_std = 0.5 * schedule.at(schedule.posterior_log_variance, t)
        # on [0, 1], where the bins of discretized_gaussian_log_prob are: halve means and scales
        log_prob = discretized_gaussian_log_prob(
            (x0 + 1) / 2, (mean + 1) / 2, log_std - math.log(2)
        )
        return -log_prob.flatten(1).sum(dim=1)

    def bound(
        self, x0: torch.Tensor, generator: torch.Generator, labels: torch.Tensor | None = None
    ) -> BoundEstimate:
        """The variational bound L_T + sum_t L_{t-1} + L_0 (eq. 5) in nats per image: of
        -log p(x_0 | y) where `labels` y are given to a conditional U-Net.

        L_T exactly; the sum over t by stratified Monte Carlo over `timesteps.strata`: one t
        drawn in each range, its term weighted by the range's size. The first range is t = 1
        alone, so L_0 is exact too. Unbiased; the spread of the per-image estimates gives the
        standard error.
        """
        nats = self.prior_kl(x0)
        losses = []
        for low, high in strata(self.schedule.steps):
            t = torch.randint(low, high, (len(x0),), generator=generator, device=x0.device)
            x_t, eps, loss = self.noise_error(x0, t, generator, labels)
            if low == 0:
                nats = nats + self.decoder_nll(x0, x_t, eps)
            else:
                nats = nats + (high - low) * self.step_kl(x0, x_t, t, eps)
            losses.append(loss)
        return BoundEstimate(nats, torch.stack(losses))
