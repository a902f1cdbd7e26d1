"""A convolutional VAE with a Gaussian posterior and a choice of pixel likelihoods."""

from __future__ import annotations

import math
from typing import NamedTuple

import torch
import torch.nn.functional as F
from torch import nn

from trainer.common import keys as k
from trainer.models.discretized import discretized_logistic_log_prob

IMAGE_SHAPE = (1, 28, 28)
LOG_2PI = math.log(2 * math.pi)
MIN_LOG_SCALE = -7.0  # the floor of PixelCNN++'s logistic scales (Salimans et al. 2017, code)


class PosteriorDraws(NamedTuple):
    """k draws z_i ~ q(z|x) per image, as the ELBO and the IWAE bound need them (nats)."""

    recon: torch.Tensor  # (N, k): -log p(x | z_i)
    kl: torch.Tensor  # (N,): KL(q(z|x) || p(z)), in closed form as in training
    log_weights: torch.Tensor  # (N, k): log p(x, z_i) - log q(z_i | x)


class VAELoss(NamedTuple):
    """Per-image means in nats: the objective and its two terms."""

    total: torch.Tensor  # recon + beta * kl
    recon: torch.Tensor  # -E_q[log p(x|z)], the decoder's log-likelihood summed over pixels
    kl: torch.Tensor  # KL(q(z|x) || N(0, I))


class BernoulliPixels:
    """p(x|z) = prod Bernoulli(x_i; sigmoid(logit_i)): one logit per pixel.

    For [0, 1] intensities this is a cross-entropy, not a density over 8-bit images.
    """

    name = "bernoulli"
    channels = 1
    metric = k.BCE  # the test metric its -log p(x|z) is reported as
    eight_bit = False  # a probability of 8-bit images, comparable in bits/dim?

    @staticmethod
    def nats(params: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
        """-log p(x|z) per image in nats."""
        return reconstruction_nats(params, x)

    @staticmethod
    def means(params: torch.Tensor) -> torch.Tensor:
        """The mean image (N, 1, 28, 28) in [0, 1]."""
        return torch.sigmoid(params)


class LogisticPixels:
    """p(x|z) = prod of discretised logistics over the 256 pixel values: a mean and a log
    scale per pixel (Salimans et al. 2017, PixelCNN++, one mixture component).

    A probability of 8-bit images, so -log p(x) is in the bits/dim of flows and diffusion.
    """

    name = "logistic"
    channels = 2
    metric = k.RECON
    eight_bit = True

    @staticmethod
    def nats(params: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
        """-log p(x|z) per image in nats, for x = k / 255."""
        mean, log_scale = params.chunk(2, dim=1)
        log_prob = discretized_logistic_log_prob(x, mean, log_scale.clamp(min=MIN_LOG_SCALE))
        return -log_prob.flatten(1).sum(dim=1)

    @staticmethod
    def means(params: torch.Tensor) -> torch.Tensor:
        """The location of each pixel's logistic, clamped to [0, 1]."""
        return params[:, :1].clamp(0, 1)


PIXEL_LIKELIHOODS = {p.name: p for p in (BernoulliPixels, LogisticPixels)}


class ConvVAE(nn.Module):
    """Kingma & Welling (2014) VAE: conv encoder -> (mu, log sigma^2), conv decoder -> the
    parameters of p(x|z) (`decoder`: 'bernoulli' logits or 'logistic' means and scales).

    SiLU, 32/64 channels and a 256-unit layer: a sweep of widths, depths and activations on
    the real data all ended within 238-240 nats after 10 epochs; SiLU was best at equal cost.
    The `labels` arguments are for the conditional subclass; this model ignores them.
    """

    def __init__(
        self,
        latent_dim: int = 32,
        channels: int = 32,
        hidden: int = 256,
        label_dims: int = 0,
        decoder: str = "bernoulli",
    ) -> None:
        super().__init__()
        self.latent_dim = latent_dim
        self.likelihood = PIXEL_LIKELIHOODS[decoder]
        wide = 2 * channels
        self.encoder = nn.Sequential(
            nn.Conv2d(1 + label_dims, channels, 4, stride=2, padding=1),  # 28 -> 14
            nn.SiLU(),
            nn.Conv2d(channels, wide, 4, stride=2, padding=1),  # 14 -> 7
            nn.SiLU(),
            nn.Flatten(),
            nn.Linear(wide * 7 * 7, hidden),
            nn.SiLU(),
            nn.Linear(hidden, 2 * latent_dim),
        )
        self.decoder = nn.Sequential(
            nn.Linear(latent_dim + label_dims, hidden),
            nn.SiLU(),
            nn.Linear(hidden, wide * 7 * 7),
            nn.SiLU(),
            nn.Unflatten(1, (wide, 7, 7)),
            nn.ConvTranspose2d(wide, channels, 4, stride=2, padding=1),  # 7 -> 14
            nn.SiLU(),
            nn.ConvTranspose2d(channels, self.likelihood.channels, 4, stride=2, padding=1),
        )

    def encoder_input(self, x: torch.Tensor, labels: torch.Tensor | None) -> torch.Tensor:
        """What the encoder reads: the images (the conditional subclass adds the label)."""
        return x

    def decoder_input(self, z: torch.Tensor, labels: torch.Tensor | None) -> torch.Tensor:
        """What the decoder reads: the codes (the conditional subclass adds the label)."""
        return z

    def encode(
        self, x: torch.Tensor, labels: torch.Tensor | None = None
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Posterior mean and log-variance of images `x` (N, 1, 28, 28) in [0, 1]."""
        mu, logvar = self.encoder(self.encoder_input(x, labels)).chunk(2, dim=1)
        return mu, logvar

    def decode(self, z: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        """The parameters of p(x|z), (N, channels, 28, 28), of latent codes `z` (N, latent_dim)."""
        return self.decoder(self.decoder_input(z, labels))

    def nll(self, params: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
        """-log p(x|z) per image in nats, for decoder output `params` and images `x`."""
        return self.likelihood.nats(params, x)

    def pixel_means(self, params: torch.Tensor) -> torch.Tensor:
        """The image (N, 1, 28, 28) in [0, 1] that decoder output `params` stands for."""
        return self.likelihood.means(params)

    @staticmethod
    def reparameterize(
        mu: torch.Tensor, logvar: torch.Tensor, generator: torch.Generator | None = None
    ) -> torch.Tensor:
        """z = mu + sigma * eps, the reparameterisation trick (Kingma & Welling 2014, sec. 2.4)."""
        eps = torch.randn(mu.shape, generator=generator, device=mu.device, dtype=mu.dtype)
        return mu + eps * torch.exp(0.5 * logvar)

    def forward(
        self,
        x: torch.Tensor,
        generator: torch.Generator | None = None,
        labels: torch.Tensor | None = None,
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Decoder output of a one-sample reconstruction, with the posterior's mu and logvar."""
        mu, logvar = self.encode(x, labels)
        return self.decode(self.reparameterize(mu, logvar, generator), labels), mu, logvar

    def loss(
        self,
        x: torch.Tensor,
        beta: float = 1.0,
        generator: torch.Generator | None = None,
        labels: torch.Tensor | None = None,
    ) -> VAELoss:
        """Negative ELBO with a beta-weighted KL (Higgins et al. 2017), per image in nats."""
        params, mu, logvar = self(x, generator, labels)
        recon = self.nll(params, x)
        kl = gaussian_kl(mu, logvar)
        return VAELoss((recon + beta * kl).mean(), recon.mean(), kl.mean())

    @torch.no_grad()
    def sample(self, z: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        """Decoded pixel means (N, 1, 28, 28) for prior draws `z`."""
        return self.pixel_means(self.decode(z, labels))

    @torch.no_grad()
    def posterior_draws(
        self,
        x: torch.Tensor,
        samples: int,
        generator: torch.Generator | None = None,
        labels: torch.Tensor | None = None,
    ) -> PosteriorDraws:
        """`samples` draws z_i ~ q(z|x) per image: -log p(x|z_i), the KL, log importance weights.

        With `labels` (the conditional VAE) every term is conditioned on y: a bound on p(x|y).
        """
        mu, logvar = self.encode(x, labels)
        # drawn where the generator lives (the evaluation's CPU stream), used where mu lives
        place = generator.device if generator is not None else mu.device
        eps = torch.randn((samples, *mu.shape), generator=generator, dtype=mu.dtype, device=place)
        eps = eps.to(mu.device)
        z = mu + eps * torch.exp(0.5 * logvar)  # (k, N, D)
        repeated = None if labels is None else labels.repeat(samples, *[1] * (labels.dim() - 1))
        params = self.decode(z.reshape(-1, z.shape[-1]), repeated)
        target = x.expand(samples, *x.shape).reshape(-1, *x.shape[1:])
        recon = self.nll(params, target).reshape(samples, len(x))
        log_pz = -0.5 * (z.pow(2) + LOG_2PI).sum(-1)
        log_qz_x = -0.5 * (eps.pow(2) + logvar + LOG_2PI).sum(-1)
        return PosteriorDraws(recon.T, gaussian_kl(mu, logvar), (log_pz - log_qz_x - recon).T)

    @torch.no_grad()
    def reconstruct(self, x: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        """Pixel means decoded from the posterior mean: the model's 'reconstruction' of x."""
        return self.pixel_means(self.decode(self.encode(x, labels)[0], labels))


def reconstruction_nats(logits: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """-log p(x|z) per image: Bernoulli cross-entropy summed over the 784 pixels."""
    bce = F.binary_cross_entropy_with_logits(logits, x, reduction="none")
    return bce.flatten(1).sum(dim=1)


def gaussian_kl(mu: torch.Tensor, logvar: torch.Tensor) -> torch.Tensor:
    """KL(N(mu, sigma^2) || N(0, I)) per image, in closed form (Kingma & Welling 2014, app. B)."""
    return -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp(), dim=1)
