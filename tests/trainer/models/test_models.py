"""Shapes, loss terms and a few learning steps of both models."""

from __future__ import annotations

import pytest
import torch

from trainer.config.settings import default_config
from trainer.learners import make_learner
from trainer.models.gan import DCGAN, Discriminator
from trainer.models.vae import ConvVAE, gaussian_kl


def test_vae_shapes_and_methods():
    vae = ConvVAE(latent_dim=5)
    x = torch.rand(4, 1, 28, 28)
    mu, logvar = vae.encode(x)
    assert mu.shape == logvar.shape == (4, 5)
    assert vae.decode(mu).shape == (4, 1, 28, 28)
    for images in (vae.sample(torch.randn(3, 5)), vae.reconstruct(x)):
        assert images.min() >= 0 and images.max() <= 1
    assert vae.sample(torch.randn(3, 5)).shape == (3, 1, 28, 28)


def test_vae_loss_terms_add_up_with_beta():
    torch.manual_seed(0)
    vae = ConvVAE(latent_dim=2)
    x = torch.rand(8, 1, 28, 28)
    loss = vae.loss(x, beta=3.0, generator=torch.Generator().manual_seed(1))
    assert loss.recon > 0 and loss.kl >= 0
    assert torch.isclose(loss.total, loss.recon + 3.0 * loss.kl)
    same = vae.loss(x, beta=3.0, generator=torch.Generator().manual_seed(1))
    assert torch.equal(loss.total, same.total)  # the noise comes only from the generator


def test_gaussian_kl_closed_form():
    assert gaussian_kl(torch.zeros(2, 4), torch.zeros(2, 4)).tolist() == [0.0, 0.0]
    mu, logvar = torch.tensor([[1.0]]), torch.tensor([[0.0]])
    assert gaussian_kl(mu, logvar).item() == 0.5  # 0.5 * mu^2 for unit variance


def test_gan_shapes_and_discriminator_input_dim():
    gan = DCGAN(latent_dim=7)
    images = gan.generator(torch.randn(5, 7))
    assert images.shape == (5, 1, 28, 28)
    assert images.min() >= -1 and images.max() <= 1
    assert Discriminator.input_dim == 784
    flat = images.reshape(5, 784)
    assert gan.discriminator(flat).shape == (5,)
    gan.eval()
    assert torch.allclose(gan.discriminator(flat), gan.discriminator(images))
    sample = gan.sample(torch.randn(2, 7))
    assert sample.min() >= 0 and sample.max() <= 1


def test_gan_losses_and_probabilities():
    gan = DCGAN(latent_dim=4)
    real = torch.rand(6, 1, 28, 28) * 2 - 1
    fake = gan.generator(torch.randn(6, 4))
    d = gan.discriminator_loss(real, fake.detach())
    assert d.loss > 0 and 0 < d.d_real < 1 and 0 < d.d_fake < 1
    assert gan.generator_loss(fake) > 0


def test_vae_steps_reduce_the_loss_on_one_batch(tiny_data):
    learner = make_learner(default_config("vae", latent_dim=4, seed=3), torch.device("cpu"))
    batch = tiny_data.train.images[:32]
    losses = [learner.train_step(batch)["loss"] for _ in range(30)]
    assert all(isinstance(v, float) for v in learner.train_step(batch).values())
    assert sum(losses[-5:]) / 5 < 0.7 * sum(losses[:5]) / 5


def test_discriminator_steps_reduce_its_loss_on_one_batch(tiny_data):
    learner = make_learner(default_config("gan", latent_dim=8, seed=3), torch.device("cpu"))
    real = learner.prepare(tiny_data.train.images[:32]) * 2 - 1
    fake = learner.model.generator(learner.latent(32)).detach()
    optimizer = learner.optimizers["discriminator"]
    first = learner.model.discriminator_loss(real, fake).loss.item()
    for _ in range(20):
        optimizer.zero_grad()
        learner.model.discriminator_loss(real, fake).loss.backward()
        optimizer.step()
    assert learner.model.discriminator_loss(real, fake).loss.item() < 0.5 * first
    step = learner.train_step(tiny_data.train.images[:32])
    assert set(step) == {"d_loss", "g_loss", "d_real", "d_fake"}


@pytest.mark.slow
def test_the_gan_learners_own_steps_move_its_samples_toward_the_data():
    """GANLearner.train_step, not a hand-written loop, must teach the generator the data.

    Four images, each one half white: an untrained generator draws grey (0.25 from the
    nearest one in mean squared error), and so would one that only learnt the mean image.
    """
    images = torch.zeros(4, 28, 28, dtype=torch.uint8)
    images[0, :, :14] = images[1, :, 14:] = images[2, :14] = images[3, 14:] = 255
    target = images.float() / 255
    learner = make_learner(default_config("gan", latent_dim=8, lr=1e-3), torch.device("cpu"))
    z = torch.randn(64, 8, generator=torch.Generator().manual_seed(99))

    def distance_to_the_data() -> float:
        with learner.evaluating():
            samples = learner.model.sample(z)[:, 0]
        errors = (samples[:, None] - target[None]).pow(2).mean(dim=(2, 3))
        return errors.min(dim=1).values.mean().item()

    before = distance_to_the_data()
    for _ in range(100):
        learner.train_step(images.repeat(4, 1, 1))
    after = distance_to_the_data()
    print(f"\nGAN samples to the nearest data image (MSE): {before:.3f} -> {after:.3f}")
    assert after < 0.6 * before
