"""Samplers of a noise-predicting diffusion model, as schedulers in the habit of diffusers:
`set_timesteps(steps)`, then `step(model_output, t, x_t)` for each t of `timesteps`, each
returning x_{t-1} (the next, less noisy state) and the predicted x_0, so a GUI can show both.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from typing import NamedTuple

import torch

from trainer.models.diffusion import NoiseSchedule

LOWER_ORDER_BELOW = 15  # DPM-Solver++ in fewer steps ends with two first-order steps
Denoiser = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]  # (x_t, t) -> predicted noise


class StepOutput(NamedTuple):
    """One sampler step: the state it goes to and the clean image it predicts."""

    prev_sample: torch.Tensor
    pred_original_sample: torch.Tensor


def _noise(like: torch.Tensor, generator: torch.Generator | None) -> torch.Tensor:
    return torch.randn(like.shape, generator=generator, device=like.device, dtype=like.dtype)


class _Sampler:
    """What both samplers share: the schedule, the timesteps, the x_0 prediction.

    The coefficients of a step are float64 numbers (one t per step): in float32, 1 - abar_t
    near t = 1 keeps three digits and the chain would drift from x_0 by 1e-4.
    """

    def __init__(self, schedule: NoiseSchedule, clip: bool = True) -> None:
        self.schedule = schedule
        self.clip = clip  # x_0 predictions clipped to the data's [-1, 1] (Ho et al.'s code)
        self.timesteps = torch.arange(schedule.steps - 1, -1, -1)

    def _x0_and_eps(self, eps: torch.Tensor, t: int, x_t: torch.Tensor):
        """Predicted x_0 (clipped if asked) and the noise that x_0 implies for x_t."""
        alpha_bar = self.schedule.alpha_bar(t)
        x0 = (x_t - math.sqrt(1 - alpha_bar) * eps) / math.sqrt(alpha_bar)
        if not self.clip:
            return x0, eps
        x0 = x0.clamp(-1, 1)
        return x0, (x_t - math.sqrt(alpha_bar) * x0) / math.sqrt(1 - alpha_bar)


class DDPMSampler(_Sampler):
    """Ancestral sampling, all T steps (Ho et al. 2020, Algorithm 2), variance beta-tilde_t."""

    def set_timesteps(self, steps: int | None = None) -> None:
        """Ancestral sampling visits every timestep; `steps` must be T or None."""
        if steps not in (None, self.schedule.steps):
            raise ValueError(f"DDPM sampling takes all {self.schedule.steps} steps, not {steps}")

    def step(
        self,
        model_output: torch.Tensor,
        t: int,
        x_t: torch.Tensor,
        generator: torch.Generator | None = None,
    ) -> StepOutput:
        """x_{t-1} ~ N(mu~(x_0 prediction, x_t), beta-tilde_t I) (eq. 7); the mean at t = 1."""
        t = int(t)
        x0, _ = self._x0_and_eps(model_output, t, x_t)
        alpha_bar, alpha_bar_prev = self.schedule.alpha_bar(t), self.schedule.alpha_bar(t - 1)
        beta = 1 - alpha_bar / alpha_bar_prev
        mean = (
            math.sqrt(alpha_bar_prev) * beta / (1 - alpha_bar) * x0
            + math.sqrt(1 - beta) * (1 - alpha_bar_prev) / (1 - alpha_bar) * x_t
        )
        if t == 0:
            return StepOutput(mean, x0)
        std = self.schedule.posterior_variance64[t].sqrt().item()
        return StepOutput(mean + std * _noise(x_t, generator), x0)


class DDIMSampler(_Sampler):
    """DDIM (Song et al. 2021, eq. 12) on S evenly spaced timesteps; eta = 0 is deterministic,
    eta = 1 with S = T is ancestral sampling with variance beta-tilde_t."""

    def __init__(self, schedule: NoiseSchedule, eta: float = 0.0, clip: bool = True) -> None:
        super().__init__(schedule, clip)
        self.eta = eta
        self.set_timesteps(50)

    def set_timesteps(self, steps: int = 50) -> None:
        """t = 0, T/S, 2T/S, ... descending (diffusers' 'leading' spacing)."""
        if not 1 <= steps <= self.schedule.steps:
            raise ValueError(f"DDIM takes 1..{self.schedule.steps} steps, not {steps}")
        self.stride = self.schedule.steps // steps
        self.timesteps = (torch.arange(steps) * self.stride).flip(0)

    def step(
        self,
        model_output: torch.Tensor,
        t: int,
        x_t: torch.Tensor,
        generator: torch.Generator | None = None,
    ) -> StepOutput:
        """x_prev = sqrt(abar_prev) x0 + sqrt(1 - abar_prev - sigma^2) eps + sigma z (eq. 12)."""
        t = int(t)
        alpha_bar = self.schedule.alpha_bar(t)
        alpha_bar_prev = self.schedule.alpha_bar(t - self.stride)
        x0, eps = self._x0_and_eps(model_output, t, x_t)
        # eq. 16: sigma^2 = eta^2 (1 - abar_prev) / (1 - abar_t) (1 - abar_t / abar_prev)
        variance = (1 - alpha_bar_prev) / (1 - alpha_bar) * (1 - alpha_bar / alpha_bar_prev)
        sigma = self.eta * math.sqrt(variance)
        x_prev = math.sqrt(alpha_bar_prev) * x0 + math.sqrt(1 - alpha_bar_prev - sigma**2) * eps
        if sigma > 0:
            x_prev = x_prev + sigma * _noise(x_t, generator)
        return StepOutput(x_prev, x0)

    def invert(self, denoiser: Denoiser, x0: torch.Tensor) -> torch.Tensor:
        """DDIM inversion: the deterministic (eta = 0) update run from x_0 up to x_T.

        The step t_prev -> t uses the noise predicted at (x_{t_prev}, t), as diffusers'
        DDIMInverseScheduler does: then decoding step t -> t_prev, which predicts at (x_t, t),
        undoes it up to second order in the step (Song et al. 2021, sec. 4.3, eq. 13).
        """
        x = x0
        for t in self.timesteps.flip(0).tolist():
            alpha_bar = self.schedule.alpha_bar(t)
            alpha_bar_prev = self.schedule.alpha_bar(t - self.stride)
            eps = denoiser(x, torch.full((len(x),), t, dtype=torch.long, device=x.device))
            x0_pred = (x - math.sqrt(1 - alpha_bar_prev) * eps) / math.sqrt(alpha_bar_prev)
            x = math.sqrt(alpha_bar) * x0_pred + math.sqrt(1 - alpha_bar) * eps
        return x


def _lambda(alpha_bar: float) -> float:
    """lambda = log(alpha / sigma), the half log signal-to-noise ratio; +inf for clean data."""
    return math.inf if alpha_bar >= 1 else 0.5 * math.log(alpha_bar / (1 - alpha_bar))


class DPMSolverSampler(_Sampler):
    """DPM-Solver++(2M) (Lu et al. 2022, "DPM-Solver++", Algorithm 2): the probability-flow
    ODE solved in lambda = log(alpha_t / sigma_t) with the data prediction x_theta, second
    order by reusing the previous step's x_theta (multistep: one network evaluation a step).

    Its M steps evaluate the network at t_0 = T-1 > ... > t_{M-1} = 0, evenly spaced in
    lambda: Lu et al.'s code (LuChengTHU/dpm-solver, `skip_type`) recommends logSNR spacing
    for low-resolution images, and a linear schedule spends most of its lambda range near
    t = 0, where even spacing in t would leave the fine detail to one big step (on Gaussian
    data, tests/trainer/models/test_dpm_solver.py, it was about 16 times less accurate). The
    last step goes from t = 0 to the clean image (sigma = 0, lambda = +inf).
    """

    def __init__(self, schedule: NoiseSchedule, clip: bool = False) -> None:
        super().__init__(schedule, clip)
        self.set_timesteps()

    def set_timesteps(self, steps: int = 15) -> None:
        """M timesteps from T-1 down to 0, evenly spaced in lambda, each at the integer t
        whose lambda is nearest (the network knows only the T trained t)."""
        if not 2 <= steps <= self.schedule.steps:
            raise ValueError(f"DPM-Solver++ takes 2..{self.schedule.steps} steps, not {steps}")
        lambdas = [_lambda(self.schedule.alpha_bar(t)) for t in range(self.schedule.steps)]
        table = torch.tensor(lambdas, dtype=torch.float64)
        wanted = torch.linspace(table[-1].item(), table[0].item(), steps, dtype=torch.float64)
        picks = (table[None, :] - wanted[:, None]).abs().argmin(dim=1)
        if len(picks.unique()) < steps:
            raise ValueError(f"DPM-Solver++ in {steps} steps would evaluate some t twice")
        self.timesteps = picks
        self._previous: tuple[float, torch.Tensor] | None = None  # (h_{i-1}, x_theta at i-2)

    def step(
        self,
        model_output: torch.Tensor,
        t: int,
        x_t: torch.Tensor,
        generator: torch.Generator | None = None,
    ) -> StepOutput:
        """From t_{i-1} = t to t_i (the next timestep, or sigma = 0 after the last):
        x_{t_i} = sigma_{t_i} / sigma_{t_{i-1}} x_{t_{i-1}} - alpha_{t_i} (e^{-h_i} - 1) D_i,
        h_i = lambda_{t_i} - lambda_{t_{i-1}} (Algorithm 2). D_i is x_theta(x_{t_{i-1}}, t_{i-1})
        on the first step (DPM-Solver++(1), which is DDIM) and on the final ones; else
        D_i = (1 + 1/(2 r_i)) x_theta(x_{t_{i-1}}) - 1/(2 r_i) x_theta(x_{t_{i-2}}), r_i =
        h_{i-1} / h_i. `generator` is unused: the solver is deterministic."""
        t = int(t)
        timesteps = self.timesteps.tolist()
        position = timesteps.index(t)
        t_next = timesteps[position + 1] if position + 1 < len(timesteps) else -1
        alpha_bar, alpha_bar_next = self.schedule.alpha_bar(t), self.schedule.alpha_bar(t_next)
        x0, _ = self._x0_and_eps(model_output, t, x_t)
        h = _lambda(alpha_bar_next) - _lambda(alpha_bar)
        data = x0
        if position == 0:  # a new chain: nothing to reuse
            self._previous = None
        if self._previous is not None and self._second_order(position):
            h_previous, x0_previous = self._previous
            r = h_previous / h
            data = (1 + 1 / (2 * r)) * x0 - 1 / (2 * r) * x0_previous
        self._previous = (h, x0)
        if t_next < 0:  # sigma_{t_i} = 0, e^{-h_i} = 0: the step lands on D_i
            return StepOutput(data, x0)
        ratio = math.sqrt((1 - alpha_bar_next) / (1 - alpha_bar))
        x_next = ratio * x_t - math.sqrt(alpha_bar_next) * math.expm1(-h) * data
        return StepOutput(x_next, x0)

    def _second_order(self, position: int) -> bool:
        """Second order except on the final step (to sigma = 0, where h is infinite) and, in
        fewer than LOWER_ORDER_BELOW steps, the one before it: "lower order final", which Lu
        et al.'s code (`lower_order_final`) finds key to steady sampling in few steps; the
        threshold is diffusers' DPMSolverMultistepScheduler's."""
        remaining = len(self.timesteps) - position
        return remaining > (2 if len(self.timesteps) < LOWER_ORDER_BELOW else 1)


Sampler = DDPMSampler | DDIMSampler | DPMSolverSampler


def denoise(
    denoiser: Denoiser,
    sampler: Sampler,
    x_t: torch.Tensor,
    generator: torch.Generator | None = None,
) -> Iterator[StepOutput]:
    """Run the sampler's chain from noise x_T, yielding every step (for live views)."""
    for t in sampler.timesteps.tolist():
        output = sampler.step(
            denoiser(x_t, torch.full((len(x_t),), t, dtype=torch.long, device=x_t.device)),
            t,
            x_t,
            generator,
        )
        x_t = output.prev_sample
        yield output
