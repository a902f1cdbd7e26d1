"""How conditional models see a class label: one-hot vectors and one-hot image channels."""

from __future__ import annotations

import torch
import torch.nn.functional as F

NUM_CLASSES = 10


def one_hot(labels: torch.Tensor) -> torch.Tensor:
    """Class indices (N,) -> float one-hot rows (N, 10); class weights (N, 10) pass unchanged.

    A soft label (a mix of classes, rows summing to 1) is how the explorer morphs one class
    into another for a fixed z.
    """
    if labels.is_floating_point():
        return labels
    return F.one_hot(labels.long(), NUM_CLASSES).float()


def required_labels(labels: torch.Tensor | None, count: int) -> torch.Tensor:
    """`labels`, checked: one class index (N,) or one row of class weights (N, 10) per image."""
    if labels is None:
        raise ValueError("this model is conditional: give one class label per image")
    if labels.shape not in ((count,), (count, NUM_CLASSES)):
        raise ValueError(f"expected {count} class labels, got shape {tuple(labels.shape)}")
    return labels


def with_label_channels(x: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """Images (N, 1, H, W) with 10 more channels: the label's one-hot, constant over the image."""
    maps = one_hot(labels)[:, :, None, None].expand(-1, -1, *x.shape[2:])
    return torch.cat([x, maps], dim=1)


def uniform_labels(count: int, generator: torch.Generator) -> torch.Tensor:
    """`count` labels, every class equally often (up to one), in random order from `generator`.

    Uniform like random draws, but without their sampling noise in the class balance, which
    would move sample-quality metrics compared against the balanced test set.
    """
    order = torch.randperm(count, generator=generator, device=generator.device)
    return order % NUM_CLASSES
