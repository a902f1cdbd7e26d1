"""A conditional VAE: encoder and decoder both read the class label."""

from __future__ import annotations

import torch

from trainer.models.conditioning import NUM_CLASSES, one_hot, required_labels, with_label_channels
from trainer.models.vae import ConvVAE


class ConditionalVAE(ConvVAE):
    """Sohn et al. (2015) CVAE on the ConvVAE: q(z|x, y) and p(x|z, y) with a N(0, I) prior.

    The encoder reads the label's one-hot as 10 constant image channels, the decoder reads
    it appended to the code; the ELBO then bounds log p(x|y). Labels are required everywhere.
    """

    def __init__(
        self,
        latent_dim: int = 32,
        channels: int = 32,
        hidden: int = 256,
        decoder: str = "bernoulli",
    ) -> None:
        super().__init__(latent_dim, channels, hidden, label_dims=NUM_CLASSES, decoder=decoder)

    def encoder_input(self, x: torch.Tensor, labels: torch.Tensor | None) -> torch.Tensor:
        """The images with the label's one-hot channels."""
        return with_label_channels(x, required_labels(labels, len(x)))

    def decoder_input(self, z: torch.Tensor, labels: torch.Tensor | None) -> torch.Tensor:
        """The codes with the label's one-hot appended."""
        return torch.cat([z, one_hot(required_labels(labels, len(z)))], dim=1)
