"""Classifier-free guidance (Ho & Salimans 2022): one network learns the conditional and the
unconditional noise prediction (labels dropped to a "no class" token while training), and
sampling mixes the two with a guidance weight w."""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn.functional as F

# A class-conditional noise prediction eps(x_t, t, y): y class indices (N,), the "no class"
# token being index num_classes, or class weights (N, K) (trainer.models.unet.UNet).
LabelledDenoiser = Callable[[torch.Tensor, torch.Tensor, torch.Tensor], torch.Tensor]


def drop_labels(
    labels: torch.Tensor, p_uncond: float, null: int, generator: torch.Generator
) -> torch.Tensor:
    """Class indices (N,) with each replaced by the "no class" index `null` with probability
    `p_uncond`, independently (Ho & Salimans 2022, Algorithm 1, line 3)."""
    dropped = torch.rand(len(labels), generator=generator, device=generator.device) < p_uncond
    return torch.where(dropped.to(labels.device), torch.full_like(labels, null), labels)


class GuidedDenoiser:
    """The guided noise prediction eps~ = (1 + w) eps(x_t, t, y) - w eps(x_t, t, no class)
    (Ho & Salimans 2022, eq. 6) as a Denoiser (x_t, t) -> eps, so every sampler takes it.

    w = 0 is the conditional model; w = -1 the unconditional one; w > 0 pushes samples towards
    what makes the class likelier than the rest, trading diversity for fidelity. Both
    predictions come from one forward pass over the batch doubled.
    """

    def __init__(
        self, network: LabelledDenoiser, labels: torch.Tensor, weight: float, num_classes: int
    ) -> None:
        self.network = network
        self.weight = weight
        self.labels = _with_no_class(labels, num_classes)

    def __call__(self, x_t: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
        """eps~(x_t, t) for the labels and weight this denoiser was made with."""
        both = self.network(torch.cat([x_t, x_t]), torch.cat([t, t]), self.labels)
        conditional, unconditional = both.chunk(2)
        return (1 + self.weight) * conditional - self.weight * unconditional


def _with_no_class(labels: torch.Tensor, num_classes: int) -> torch.Tensor:
    """`labels` followed by as many "no class" labels, in one tensor: indices stay indices;
    class weights (N, num_classes) gain a last column, the no-class token's weight."""
    if not labels.is_floating_point():
        return torch.cat([labels.long(), torch.full_like(labels.long(), num_classes)])
    weights = F.pad(labels, (0, 1))
    none = F.one_hot(torch.full((len(labels),), num_classes), num_classes + 1)
    return torch.cat([weights, none.to(weights)])
