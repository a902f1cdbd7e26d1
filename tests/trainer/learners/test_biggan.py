"""The BigGAN-style GAN: truncation, hinge loss, spectral norm, the generator's average."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch.nn.utils import parametrize

from trainer.common.pixels import signed_to_unit
from trainer.config.settings import default_config
from trainer.learners import make_learner
from trainer.models.biggan import BigGAN
from trainer.models.truncation import truncate

CPU = torch.device("cpu")


def learner(**changes):
    return make_learner(default_config("biggan", latent_dim=4, seed=1, **changes), CPU)


def train(subject, data, steps: int = 3) -> None:
    for step in range(steps):
        picks = slice(16 * step, 16 * step + 16)
        subject.train_step(data.train.images[picks], data.train.labels[picks])


@settings(max_examples=60, deadline=None)
@given(psi=st.floats(0.01, 5.0), seed=st.integers(0, 2**31 - 1))
def test_truncated_latents_never_exceed_psi(psi, seed):
    # wide draws (sd 4) reach far into both tails, where float rounding could overshoot
    z = 4 * torch.randn(2000, generator=torch.Generator().manual_seed(seed))
    truncated = truncate(z, psi)
    assert truncated.dtype == z.dtype and truncated.shape == z.shape
    assert truncated.abs().max().item() <= psi


def test_no_truncation_leaves_the_latents_as_drawn():
    z = torch.randn(100, 8)
    assert truncate(z, None) is z
    with pytest.raises(ValueError, match="positive"):
        truncate(z, 0.0)


def test_truncation_is_monotone_in_z():
    z = torch.linspace(-9, 9, 5001)
    for psi in (0.25, 1.0, 2.0):
        truncated = truncate(z, psi)
        assert (truncated.diff() >= 0).all()
        assert (truncated[1700:3300].diff() > 0).all()  # strictly, for |z| < 3
        assert truncated[2500].item() == pytest.approx(0, abs=1e-6)  # z = 0 stays 0


@pytest.mark.parametrize("psi", [0.5, 1.0, 2.0])
def test_truncated_draws_follow_the_truncated_normal(psi):
    """Variance of N(0, 1) truncated to [-a, a]: 1 - 2 a phi(a) / (2 Phi(a) - 1)."""
    z = truncate(torch.randn(400_000, generator=torch.Generator().manual_seed(0)), psi)
    phi = math.exp(-(psi**2) / 2) / math.sqrt(2 * math.pi)
    inside = math.erf(psi / math.sqrt(2))  # 2 Phi(a) - 1
    assert z.var().item() == pytest.approx(1 - 2 * psi * phi / inside, rel=0.01)
    assert z.mean().item() == pytest.approx(0, abs=0.005)


def test_the_hinge_losses_match_a_hand_computation(monkeypatch):
    model = BigGAN(latent_dim=4)
    real, fake = torch.zeros(3, 1, 28, 28), torch.ones(3, 1, 28, 28)
    scores = {0.0: torch.tensor([2.0, 0.5, -1.0]), 1.0: torch.tensor([-2.0, 0.0, 1.5])}
    monkeypatch.setattr(model, "score", lambda x, labels=None: scores[x[0, 0, 0, 0].item()])
    d = model.discriminator_loss(real, fake)
    # real: max(0, 1 - s) = 0, 0.5, 2 -> 2.5 / 3; fake: max(0, 1 + s) = 0, 1, 2.5 -> 3.5 / 3
    assert d.loss.item() == pytest.approx(2.0)
    assert (d.d_real.item(), d.d_fake.item()) == pytest.approx((0.5, -0.5 / 3))
    assert model.generator_loss(fake).item() == pytest.approx(0.5 / 3)  # -mean(fake scores)


def largest_singular_value(module: torch.nn.Module) -> float:
    return torch.linalg.matrix_norm(module.weight.detach().flatten(1), ord=2).item()


def test_every_weight_layer_of_both_players_is_spectrally_normalised():
    model = BigGAN(latent_dim=4)
    layers = [
        m
        for m in (*model.generator.modules(), *model.discriminator.modules())
        if isinstance(m, (torch.nn.Conv2d, torch.nn.Linear, torch.nn.Embedding))
    ]
    normalised = [m for m in layers if parametrize.is_parametrized(m, "weight")]
    assert [m for m in layers if m not in normalised] == [model.generator.shared]  # BigGAN's
    with torch.no_grad():
        for module in normalised:  # the raw weights 3 times larger than initialised ...
            module.parametrizations.weight.original.mul_(3)
        model.train()
        for _ in range(30):  # ... each read in train mode is one power iteration
            for module in normalised:
                module.weight  # noqa: B018
        model.eval()
    for module in normalised:  # ... yet the weights in use have a largest singular value of 1
        assert largest_singular_value(module) == pytest.approx(1, abs=0.02)
        raw = torch.linalg.matrix_norm(module.parametrizations.weight.original.flatten(1), ord=2)
        assert raw.item() > 2.5


def test_the_average_moves_apart_from_the_trained_generator_and_is_what_samples_use(tiny_data):
    subject = learner()
    train(subject, tiny_data)
    live = dict(subject.model.generator.named_parameters())
    averaged = dict(subject.model.averaged.module.named_parameters())
    assert live.keys() == averaged.keys()
    assert any(not torch.allclose(live[name], averaged[name]) for name in live)
    assert not any(p.requires_grad for p in subject.model.averaged.parameters())  # not trained
    z, labels = torch.randn(6, 4), torch.arange(6)
    with subject.evaluating():
        samples = subject.sample_images(z, labels)
        assert torch.equal(samples, signed_to_unit(subject.model.averaged(z, labels)))
        assert not torch.allclose(samples, signed_to_unit(subject.model.generator(z, labels)))


def test_the_averaged_weights_keep_a_unit_spectral_norm(tiny_data):
    subject = learner()
    train(subject, tiny_data, steps=4)
    subject.model.eval()
    for module in subject.model.averaged.modules():
        if parametrize.is_parametrized(module, "weight"):
            assert largest_singular_value(module) == pytest.approx(1, abs=0.05)


def test_sampling_and_generate_truncate_the_noise_at_the_dial(tiny_data, monkeypatch):
    subject = learner()
    train(subject, tiny_data, steps=2)
    z, labels = 2 * torch.randn(8, 4, generator=torch.Generator().manual_seed(3)), torch.arange(8)
    with subject.evaluating():
        plain = subject.sample_images(z, labels)
        subject.dials["truncation"] = 0.5
        truncated = subject.sample_images(z, labels)
        subject.dials["truncation"] = None
        assert torch.equal(truncated, subject.sample_images(truncate(z, 0.5), labels))
    assert not torch.allclose(plain, truncated)
    seen = []
    real_generate = subject.model.generate
    monkeypatch.setattr(
        subject.model, "generate", lambda z, y=None: seen.append(z) or real_generate(z, y)
    )
    subject.dials["truncation"] = 0.25
    subject.generate(30)
    assert torch.cat(seen).abs().max().item() <= 0.25


def test_a_step_reports_the_hinge_scores_and_evaluation_judges_the_average(tiny_data):
    subject = learner()
    losses = subject.train_step(tiny_data.train.images[:16], tiny_data.train.labels[:16])
    assert set(losses) == set(subject.spec.step_metrics)
    assert all(np.isfinite(list(losses.values())))
    metrics = subject.evaluate(tiny_data.test)
    assert set(metrics) == set(subject.spec.test_metrics)
    again = learner()
    again.load_state_dict(subject.state_dict())  # the average is in the checkpoint
    z, labels = torch.randn(4, 4), torch.arange(4)
    with subject.evaluating(), again.evaluating():
        assert torch.equal(subject.sample_images(z, labels), again.sample_images(z, labels))
