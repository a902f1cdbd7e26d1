"""WGAN-GP: the DCGAN generator against a critic kept 1-Lipschitz by a gradient penalty, and
WGAN-CT's consistency term (an option of the same model)."""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import torch
from torch import nn

from trainer.common.pixels import signed_to_unit
from trainer.models.gan import Discriminator, Generator

# WGAN-CT (Wei et al. 2018) as in its official code (github.com/biuyq/CT-GAN,
# CT_gan_mnist.py): dropout with keep probability 0.5 after each of the critic's activations,
# the penultimate features weighted 0.1 against the score, and the margin M' = 0.
CT_DROPOUT = 0.5
CT_FEATURE_WEIGHT = 0.1


class CriticLoss(NamedTuple):
    """The critic's loss and its parts (batch means)."""

    loss: torch.Tensor  # E[D(G(z))] - E[D(x)] + gp_weight * penalty + ct_weight * consistency
    wasserstein: torch.Tensor  # E[D(x)] - E[D(G(z))]: the critic's estimate of W1
    penalty: torch.Tensor  # E[(||grad D(x_hat)|| - 1)^2]
    fake_score: torch.Tensor  # E[D(G(z))]
    consistency: torch.Tensor  # ct_weight * WGAN-CT's consistency term (0 when ct_weight is 0)


def layer_norm(channels: int) -> nn.Module:
    """Layer normalisation over (channels, height, width): a GroupNorm with one group."""
    return nn.GroupNorm(1, channels)


class StreamDropout(nn.Module):
    """Dropout (Srivastava et al. 2014) whose masks come from `generator`, the learner's random
    stream, so a seeded run repeats and a resumed run goes on where it stopped (nn.Dropout
    draws on torch's global stream, which fmgen neither seeds nor saves). None: the global one.
    """

    def __init__(self, p: float) -> None:
        super().__init__()
        self.p = p
        self.generator: torch.Generator | None = None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """In train mode, `x` with each value zeroed with probability p, the rest scaled by
        1 / (1 - p) so the expected value is unchanged; `x` itself in eval mode."""
        if not self.training:
            return x
        keep = torch.bernoulli(torch.full_like(x, 1 - self.p), generator=self.generator)
        return x * keep / (1 - self.p)


class Critic(Discriminator):
    """The WGAN critic: the DCGAN discriminator without the sigmoid (a score, not a
    probability), layer norm for batch norm, and dropout after each activation if asked for.

    `critic(x, features=True)` also returns the penultimate features the score is a linear
    function of (after their dropout, as the official CT-GAN code takes them).
    """

    def __init__(self, channels: int = 64, dropout: float = 0.0) -> None:
        # No dropout layers at all when it is off: WGAN-GP's critic, weights and random
        # stream stay exactly as they were before WGAN-CT existed.
        layer = (lambda: StreamDropout(dropout)) if dropout > 0 else None
        super().__init__(channels, norm=layer_norm, dropout=layer)

    def forward(
        self, x: torch.Tensor, features: bool = False
    ) -> torch.Tensor | tuple[torch.Tensor, torch.Tensor]:
        """Scores (N,) of images in [-1, 1]; with `features`, (scores, features (N, F))."""
        hidden = self.net[:-1](x.reshape(len(x), self.input_dim))
        scores = self.net[-1](hidden).squeeze(1)
        return (scores, hidden) if features else scores

    def draw_dropout_from(self, generator: torch.Generator) -> None:
        """Draw every dropout mask from `generator` (see StreamDropout)."""
        for layer in self.modules():
            if isinstance(layer, StreamDropout):
                layer.generator = generator


class WGANGP(nn.Module):
    """Gulrajani et al. (2017) WGAN-GP with the DCGAN generator.

    The critic has layer norm for batch norm: the penalty is taken per input, and batch norm
    would make each score depend on the rest of the batch (sec. 4). `dropout` > 0 gives the
    critic the dropout WGAN-CT's consistency term needs (Wei et al. 2018).
    """

    def __init__(self, latent_dim: int = 64, channels: int = 64, dropout: float = 0.0) -> None:
        super().__init__()
        self.latent_dim = latent_dim
        self.generator = Generator(latent_dim, channels)
        self.critic = Critic(channels, dropout)

    def critic_loss(
        self,
        real: torch.Tensor,
        fake: torch.Tensor,
        gp_weight: float,
        generator: torch.Generator | None = None,
        ct_weight: float = 0.0,
    ) -> CriticLoss:
        """-(E[D(x)] - E[D(G(z))]) + lambda * penalty (Gulrajani et al. 2017, eq. 3), plus
        the consistency term weighted by `ct_weight` when that is above 0 (Wei et al. 2018)."""
        fake_score = self.critic(fake).mean()
        if ct_weight > 0:
            # Two passes of the real images under independent dropout; the first one's scores
            # are also the Wasserstein term's, as in the official code (disc_real).
            first, second = self.critic(real, features=True), self.critic(real, features=True)
            real_scores, consistency = first[0], consistency_term(first, second, ct_weight)
        else:
            real_scores, consistency = self.critic(real), torch.zeros((), device=real.device)
        wasserstein = real_scores.mean() - fake_score
        penalty = gradient_penalty(self.critic, real, fake, generator)
        loss = gp_weight * penalty - wasserstein
        if ct_weight > 0:
            loss = loss + consistency
        return CriticLoss(loss, wasserstein, penalty, fake_score, consistency)

    def generator_loss(self, fake: torch.Tensor) -> torch.Tensor:
        """-E[D(G(z))]: the generator raises the critic's score of its images."""
        return -self.critic(fake).mean()

    @torch.no_grad()
    def sample(self, z: torch.Tensor) -> torch.Tensor:
        """Generated pixel values (N, 1, 28, 28) in [0, 1]."""
        return signed_to_unit(self.generator(z))


def gradient_penalty(
    critic: Callable[[torch.Tensor], torch.Tensor],
    real: torch.Tensor,
    fake: torch.Tensor,
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    """E[(||grad D(x_hat)||_2 - 1)^2] at random points x_hat between real and fake images.

    Gulrajani et al. (2017, eq. 3, alg. 1): an optimal critic has gradient norm 1 on the
    lines between the two distributions, so the penalty asks for it there. It replaces
    weight clipping (Arjovsky et al. 2017), which pushes weights to the clip values and
    leaves a critic too simple, or gradients that vanish or explode (their sec. 3).
    """
    shape = (len(real),) + (1,) * (real.dim() - 1)
    eps = torch.rand(shape, generator=generator, device=real.device, dtype=real.dtype)
    x_hat = (eps * real + (1 - eps) * fake.detach()).requires_grad_(True)
    (grad,) = torch.autograd.grad(critic(x_hat).sum(), x_hat, create_graph=True)
    return (grad.flatten(1).norm(dim=1) - 1).pow(2).mean()


def consistency_term(
    first: tuple[torch.Tensor, torch.Tensor],
    second: tuple[torch.Tensor, torch.Tensor],
    weight: float,
    margin: float = 0.0,
) -> torch.Tensor:
    """WGAN-CT's consistency term, weighted: the batch mean of
    max(0, weight * [(D(x') - D(x''))^2 + 0.1 * mean_j (D_(x')_j - D_(x'')_j)^2] - M').

    `first` and `second` are (scores, penultimate features) of the same real images through
    the critic under two dropout draws, x' and x'' (Wei et al. 2018, sec. 3): the critic is
    asked to be consistent near the data, where the gradient penalty's random points seldom
    fall. This follows the official code (CT_gan_mnist.py) where it differs from the paper:
    squared differences instead of the distance d, the features' squares averaged rather
    than summed, and the margin M' subtracted after the weight (the paper hinges the
    unweighted sum). At M' = 0, the setting of both, the hinge changes nothing.
    """
    (scores_a, features_a), (scores_b, features_b) = first, second
    feature_gap = (features_a - features_b).pow(2).mean(dim=1)
    per_image = (scores_a - scores_b).pow(2) + CT_FEATURE_WEIGHT * feature_gap
    return (weight * per_image - margin).clamp(min=0).mean()


def lipschitz_ratios(
    real: torch.Tensor, fake: torch.Tensor, real_scores: torch.Tensor, fake_scores: torch.Tensor
) -> torch.Tensor:
    """|D(x) - D(x')| / ||x - x'||_2 for each pair (real x, generated x'), (N,).

    The images are as the critic reads them (in [-1, 1]), the space its gradient penalty
    constrains: a 1-Lipschitz critic keeps every ratio at or below 1, so their maximum is a
    lower bound on its Lipschitz constant, the M of the condition |D(x1) - D(x2)| <=
    M ||x1 - x2|| that Wei et al. (2018, sec. 3) start from.
    """
    distances = (real - fake).flatten(1).norm(dim=1)
    # A generated image equal to a real one would divide by 0; it can only tell us nothing.
    return (real_scores - fake_scores).abs() / distances.clamp_min(torch.finfo(real.dtype).tiny)
