"""Pixel conversions, named once: uint8 images, floats in [0, 1] and network outputs in [-1, 1]."""

from __future__ import annotations

import numpy as np
import torch


def to_unit(images: torch.Tensor) -> torch.Tensor:
    """uint8 images (N, 28, 28) -> float (N, 1, 28, 28) in [0, 1]."""
    return images.unsqueeze(1).float().div_(255)


def to_uint8(images: np.ndarray) -> np.ndarray:
    """Float images in [0, 1] -> uint8."""
    return (np.clip(images, 0, 1) * 255).round().astype(np.uint8)


def signed_to_unit(images: torch.Tensor) -> torch.Tensor:
    """Images in [-1, 1] (a tanh generator's, a diffusion chain's; clipped there) -> [0, 1]."""
    return (images.clamp(-1, 1) + 1) / 2
