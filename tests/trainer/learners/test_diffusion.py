"""DDPM: the forward process, the samplers against an oracle, DDIM inversion, the bound."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from torch import nn

from trainer.common.timesteps import strata
from trainer.config.settings import default_config
from trainer.learners import make_learner
from trainer.models.diffusion import DDPM, NoiseSchedule
from trainer.models.discretized import HALF_BIN
from trainer.models.samplers import DDIMSampler, DDPMSampler, denoise
from trainer.runs.checkpoint import Checkpoint, save_checkpoint
from trainer.runs.loading import load_learner

SCHEDULE = NoiseSchedule()


class Oracle(nn.Module):
    """A denoiser that knows x_0: it returns the noise that is really in x_t."""

    def __init__(self, x0: torch.Tensor, schedule: NoiseSchedule = SCHEDULE) -> None:
        super().__init__()
        self.x0, self.schedule = x0, schedule

    def forward(self, x_t: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
        alpha_bar = self.schedule.alpha_bars64[t].reshape(-1, 1, 1, 1)
        return ((x_t - alpha_bar.sqrt() * self.x0) / (1 - alpha_bar).sqrt()).float()


def images(count: int = 4, seed: int = 0) -> torch.Tensor:
    """8-bit test images in [-1, 1], of 8x8 pixels."""
    values = torch.randint(0, 256, (count, 1, 8, 8), generator=torch.Generator().manual_seed(seed))
    return values / 255 * 2 - 1


@pytest.mark.parametrize("t", [0, 9, 499, 999])
def test_closed_form_noising_matches_the_chain_of_single_steps(t):
    """q(x_t | x_0) = N(sqrt(abar_t) x_0, (1 - abar_t) I) against t steps of
    x_s = sqrt(1 - beta_s) x_{s-1} + sqrt(beta_s) eps (Ho et al. 2020, eqs. 2 and 4)."""
    generator = torch.Generator().manual_seed(t)
    betas = np.linspace(1e-4, 0.02, 1000)[: t + 1]
    x = torch.full((20000,), 0.6, dtype=torch.float64)
    for beta in betas:
        x = math.sqrt(1 - beta) * x + math.sqrt(beta) * torch.randn(x.shape, generator=generator)
    x0 = torch.full((20000, 1, 1, 1), 0.6)
    noise = torch.randn(x0.shape, generator=generator)
    closed = SCHEDULE.noisy(x0, torch.full((20000,), t), noise).flatten()
    alpha_bar = np.prod(1 - betas)
    mean, variance = math.sqrt(alpha_bar) * 0.6, 1 - alpha_bar
    for draws in (x, closed.double()):  # 20,000 draws: standard errors below 1%
        assert draws.mean().item() == pytest.approx(mean, abs=4 * math.sqrt(variance / 20000))
        assert draws.var().item() == pytest.approx(variance, rel=0.04)


@pytest.mark.parametrize("steps", [None, 50, 10])
def test_a_denoiser_that_returns_the_true_noise_recovers_x0(steps):
    x0 = images()
    sampler = DDPMSampler(SCHEDULE) if steps is None else DDIMSampler(SCHEDULE, eta=0.0)
    if steps:
        sampler.set_timesteps(steps)
    generator = torch.Generator().manual_seed(1)
    x_T = torch.randn(x0.shape, generator=generator)
    outputs = list(denoise(Oracle(x0), sampler, x_T, generator))
    assert len(outputs) == (steps or 1000)
    assert torch.allclose(outputs[-1].prev_sample, x0, atol=1e-4)
    assert torch.allclose(outputs[0].pred_original_sample, x0, atol=1e-3)


def test_ddim_with_every_step_and_eta_one_is_the_ancestral_sampler():
    """sigma_t^2 = beta-tilde_t at S = T (Song et al. 2021, eq. 16): the same chain, step by
    step, from the same noise, with a denoiser that knows nothing of the data."""

    def denoiser(x_t: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
        return 0.7 * x_t + 0.2 * torch.sin(t.float() / 50).reshape(-1, 1, 1, 1)

    ddim = DDIMSampler(SCHEDULE, eta=1.0)
    ddim.set_timesteps(1000)
    x_T = torch.randn(64, 1, 8, 8, generator=torch.Generator().manual_seed(2))
    chains = [
        list(denoise(denoiser, sampler, x_T, torch.Generator().manual_seed(3)))
        for sampler in (DDPMSampler(SCHEDULE), ddim)
    ]
    for ancestral, implicit in zip(*chains, strict=True):
        assert torch.allclose(ancestral.prev_sample, implicit.prev_sample, atol=1e-4)
    final = chains[0][-1].prev_sample
    assert 0.1 < final.std() < 1  # a real spread, not a collapse to one image


def test_ddim_inversion_then_decoding_reconstructs():
    """Gaussian data N(0, s^2) has the exact denoiser eps(x_t) = sqrt(1 - abar) x_t /
    (abar s^2 + 1 - abar). Inverting S DDIM steps and decoding them returns the data up to an
    error of first order in 1/S: about 5% at S = 50, a quarter of that at S = 200."""
    s = 0.5

    def denoiser(x_t: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
        alpha_bar = SCHEDULE.alpha_bars64[t].reshape(-1, 1, 1, 1)
        return ((1 - alpha_bar).sqrt() * x_t / (alpha_bar * s**2 + 1 - alpha_bar)).float()

    x0 = s * torch.randn(16, 1, 8, 8, generator=torch.Generator().manual_seed(4))
    errors = []
    for steps in (50, 200):
        sampler = DDIMSampler(SCHEDULE, eta=0.0, clip=False)
        sampler.set_timesteps(steps)
        latent = sampler.invert(denoiser, x0)
        assert latent.std() == pytest.approx(1, abs=0.1)  # inverted to the prior's scale
        decoded = list(denoise(denoiser, sampler, latent))[-1].prev_sample
        errors.append(((decoded - x0).norm() / x0.norm()).item())
    assert errors[0] < 0.08
    assert errors[1] < 0.35 * errors[0]


def test_the_bound_with_an_oracle_is_the_prior_term_plus_the_decoder_term():
    """Every KL term vanishes when eps_theta is the true noise; what remains is L_T and L_0,
    computed here by hand: a Gaussian of std sqrt(beta-tilde_2) centred on each pixel value,
    integrated over its bin (the first and last bins open-ended)."""
    x0 = images(2)
    model = DDPM(nn.Identity())
    model.unet = Oracle(x0)
    estimate = model.bound(x0, torch.Generator().manual_seed(5))
    alpha_bar_T = SCHEDULE.alpha_bar(999)
    prior = 0.5 * (alpha_bar_T * x0.double() ** 2 - alpha_bar_T - math.log(1 - alpha_bar_T))
    std = math.sqrt(SCHEDULE.posterior_variance[1].item()) / 2  # on the [0, 1] scale
    inner = math.log(math.erf(HALF_BIN / std / math.sqrt(2)))
    edge = math.log(0.5 * (1 + math.erf(HALF_BIN / std / math.sqrt(2))))
    at_edge = (x0.abs() == 1).double()
    decoder = -(at_edge * edge + (1 - at_edge) * inner)
    by_hand = (prior + decoder).flatten(1).sum(dim=1)
    assert torch.allclose(estimate.nats.double(), by_hand, rtol=1e-4)
    assert estimate.losses.shape == (len(strata()), 2) and estimate.losses.max() < 1e-6


@pytest.mark.usefixtures("small_networks")
def test_ddpm_steps_reduce_the_loss_on_one_batch(tiny_data):
    learner = make_learner(default_config("ddpm", seed=3, lr=2e-3), torch.device("cpu"))
    batch = tiny_data.train.images[:32]
    losses = [learner.train_step(batch)["noise_mse"] for _ in range(30)]
    assert np.mean(losses[-5:]) < 0.7 * np.mean(losses[:5])


@pytest.mark.usefixtures("small_networks")
def test_ddpm_learner_samples_and_reports_its_bound(tiny_data):
    learner = make_learner(default_config("ddpm"), torch.device("cpu"))
    z = torch.randn(3, 784, generator=torch.Generator().manual_seed(6))
    samples = learner.sample_images(z)
    assert samples.shape == (3, 1, 28, 28) and samples.min() >= 0 and samples.max() <= 1
    assert torch.equal(samples, learner.sample_images(z))  # DDIM with eta = 0 is deterministic
    assert len(list(learner.chain(z, learner.ddim(7)))) == 7
    assert len(learner.ancestral().timesteps) == 1000
    metrics = learner.evaluate(tiny_data.test)
    assert metrics["bits_per_dim"] > 8  # untrained: worse than uniform over 256 values
    assert 0 < metrics["bits_per_dim_se"] < metrics["bits_per_dim"]
    ranges = strata()
    assert ranges[0] == (0, 1) and ranges[-1][1] == 1000  # t = 1 alone, ..., up to T
    losses = [metrics[f"noise_mse_t{low + 1}"] for low, _ in ranges]
    uniform_t = sum((high - low) * loss for (low, high), loss in zip(ranges, losses, strict=True))
    assert metrics["noise_mse"] == pytest.approx(uniform_t / 1000)


@pytest.mark.usefixtures("small_networks")
def test_ddpm_encodes_by_ddim_inversion_what_sample_images_decodes(tiny_data):
    """A U-Net trained a few steps (an untrained one predicts zero noise, which inverts
    exactly): inverting and decoding in 50 steps gives the images back far closer than other
    noise decodes to them, and closer than 10 steps do (the error shrinks with the step)."""
    learner = make_learner(default_config("ddpm", seed=3, lr=3e-3), torch.device("cpu"))
    for _ in range(10):
        learner.train_step(tiny_data.train.images[:16])
    learner.model.eval()  # as the app reads a run: through the weight average
    x = learner.prepare(tiny_data.test.images[:4])
    codes = learner.encode(x)
    assert codes.shape == (4, 784)
    assert torch.equal(codes, learner.encode(x))  # deterministic

    def error(images: torch.Tensor) -> float:
        return ((images - x) ** 2).mean().item()

    round_trip = error(learner.reconstruct(x))
    other_noise = torch.randn(4, 784, generator=torch.Generator().manual_seed(7))
    assert round_trip < 0.03 * error(learner.sample_images(other_noise))
    coarse = learner.ddim(10)
    latent = coarse.invert(learner.model, x * 2 - 1).flatten(1)
    *_, last = learner.chain(latent, coarse)
    assert round_trip < 0.3 * error((last.prev_sample.clamp(-1, 1) + 1) / 2)


def unet_weights(learner) -> list[torch.Tensor]:
    return [p.detach().clone() for p in learner.model.unet.parameters()]


def averaged_weights(learner) -> list[torch.Tensor]:
    return list(learner.model.averaged.module.parameters())


@pytest.mark.usefixtures("small_networks")
def test_ddpm_samples_from_a_warmed_up_average_of_its_weights(tiny_data):
    """The first update copies the U-Net; the second moves 1 - 2/11 of the way to it (decay
    (1 + n) / (10 + n) at n = 1); eval mode predicts with the average, train mode with the
    U-Net, and the optimiser never touches the average."""
    learner = make_learner(default_config("ddpm", seed=3, lr=3e-3), torch.device("cpu"))
    batch = tiny_data.train.images[:16]
    learner.train_step(batch)
    first = unet_weights(learner)
    assert all(torch.equal(a, w) for a, w in zip(averaged_weights(learner), first, strict=True))
    learner.train_step(batch)
    second = unet_weights(learner)
    for averaged, w1, w2 in zip(averaged_weights(learner), first, second, strict=True):
        assert torch.allclose(averaged, w1 + (9 / 11) * (w2 - w1), atol=1e-6)
    x_t, t = torch.randn(2, 1, 28, 28), torch.tensor([10, 500])
    with torch.no_grad():
        learner.model.eval()
        assert torch.equal(learner.model(x_t, t), learner.model.averaged(x_t, t))
        learner.model.train()
        assert torch.equal(learner.model(x_t, t), learner.model.unet(x_t, t))
        assert not torch.allclose(learner.model.unet(x_t, t), learner.model.averaged(x_t, t))
    groups = learner.optimizers["adam"].param_groups
    optimised = {id(p) for group in groups for p in group["params"]}
    assert optimised == {id(p) for p in learner.model.unet.parameters()}
    assert learner.trained_parameters == sum(p.numel() for p in learner.model.unet.parameters())


@pytest.mark.usefixtures("small_networks")
def test_a_ddpm_checkpoint_from_before_the_average_loads_with_the_average_at_its_unet(
    tiny_data, tmp_path
):
    """A format-1 file (no average in its state) opens as the app opens it."""
    config = default_config("ddpm", seed=3, lr=3e-3)
    old = make_learner(config, torch.device("cpu"))
    for _ in range(3):
        old.train_step(tiny_data.train.images[:16])
    state = old.state_dict()
    state["model"] = {k: v for k, v in state["model"].items() if not k.startswith("averaged.")}
    path = tmp_path / "format1.pt"
    save_checkpoint(path, Checkpoint(path, config, 0, 3, 3, state, {}, {}))
    raw = torch.load(path, weights_only=True)
    torch.save({**raw, "format_version": 1}, path)
    new, _ = load_learner(path)
    for averaged, weight in zip(averaged_weights(new), unet_weights(old), strict=True):
        assert torch.equal(averaged, weight)
    assert new.model.averaged.n_averaged.item() == 0  # the next update starts it afresh
    resumed = make_learner(config, torch.device("cpu"))
    resumed.load_state_dict(old.state_dict())  # a current checkpoint keeps its average
    assert resumed.model.averaged.n_averaged.item() == 3
    for kept, averaged in zip(averaged_weights(resumed), averaged_weights(old), strict=True):
        assert torch.equal(kept, averaged)
    assert not all(
        torch.equal(a, w) for a, w in zip(averaged_weights(old), unet_weights(old), strict=True)
    )  # so the kept average is not merely the U-Net again
