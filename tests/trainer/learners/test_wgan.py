"""WGAN-GP: the gradient penalty, the critic's sign convention and the n_critic schedule."""

from __future__ import annotations

import pytest
import torch

from trainer.config.settings import default_config
from trainer.learners import adam, make_learner
from trainer.models.wgan import WGANGP, gradient_penalty


def test_the_penalty_is_zero_for_a_unit_norm_linear_critic_and_grows_with_the_norm():
    generator = torch.Generator().manual_seed(0)
    real, fake = torch.rand(16, 1, 28, 28, generator=generator), torch.rand(16, 1, 28, 28)
    weight = torch.randn(784, generator=generator)
    weight /= weight.norm()

    def linear(scale: float):
        return lambda x: x.flatten(1) @ (scale * weight)  # its gradient is scale * weight

    assert gradient_penalty(linear(1.0), real, fake).item() == pytest.approx(0, abs=1e-10)
    assert gradient_penalty(linear(3.0), real, fake).item() == pytest.approx(4.0)  # (3 - 1)^2
    assert gradient_penalty(linear(0.5), real, fake).item() == pytest.approx(0.25)


def test_critic_steps_score_real_images_higher_than_generated_ones(tiny_data):
    config = default_config("wgan", latent_dim=4)
    model = WGANGP(config.latent_dim)
    real = tiny_data.train.images[:32].unsqueeze(1).float() / 127.5 - 1
    with torch.no_grad():
        fake = model.generator(torch.randn(32, 4, generator=torch.Generator().manual_seed(1)))
    optimizer = adam(model.critic.parameters(), config)
    first = model.critic_loss(real, fake, config.gp_weight).wasserstein.item()
    for _ in range(10):
        optimizer.zero_grad()
        model.critic_loss(real, fake, config.gp_weight).loss.backward()
        optimizer.step()
    after = model.critic_loss(real, fake, config.gp_weight)
    assert after.wasserstein.item() > max(first, 0) + 0.1
    gap = model.critic(real).mean() - model.critic(fake).mean()
    assert gap.item() == pytest.approx(after.wasserstein.item())
    assert after.loss.item() == pytest.approx(
        config.gp_weight * after.penalty.item() - after.wasserstein.item(), rel=1e-5
    )


def test_the_generator_steps_once_every_n_critic_steps(tiny_data):
    learner = make_learner(default_config("wgan", latent_dim=4, n_critic=3), torch.device("cpu"))
    images, labels = tiny_data.train.images[:16], tiny_data.train.labels[:16]

    def snapshot(module):
        return [p.detach().clone() for p in module.parameters()]

    def moved(before, module):
        return any(not torch.equal(a, b) for a, b in zip(before, module.parameters(), strict=True))

    moves, counts = [], []
    for _ in range(6):
        generator, critic = snapshot(learner.model.generator), snapshot(learner.model.critic)
        counts.append(learner.train_step(images, labels)["g_updates"])
        assert moved(critic, learner.model.critic)  # the critic learns every step
        moves.append(moved(generator, learner.model.generator))
    assert moves == [False, False, True] * 2
    assert counts == [0, 0, 1, 1, 1, 2]
