"""The order of an epoch's batches: a pure function of the seed and the epoch, so a resumed
run replays the very batches the interrupted one would have trained on."""

from __future__ import annotations

import math
from collections.abc import Iterator

import torch


def epoch_order(seed: int, epoch: int, count: int) -> torch.Tensor:
    """The shuffled order of epoch `epoch`: a pure function of the seed, so resumes replay it."""
    generator = torch.Generator().manual_seed(seed * 1_000_003 + epoch)
    return torch.randperm(count, generator=generator)


def epoch_batches(
    order: torch.Tensor, batch_size: int, first: int = 0
) -> Iterator[tuple[int, torch.Tensor]]:
    """(batch number, the indices it trains on) of an epoch in `order`, from batch `first` on."""
    for batch in range(first, math.ceil(len(order) / batch_size)):
        yield batch, order[batch * batch_size : (batch + 1) * batch_size]
