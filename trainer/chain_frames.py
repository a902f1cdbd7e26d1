"""One sampling chain recorded step by step: x_t and the predicted x_0 at every timestep.

Qt-free, so the GUI's 'Watch a sample being made' view and scripts share it. Which models have a
chain is the registry's `ModelSpec.sampling_chain`; their learners offer `samplers()` (by name)
and `chain(z, sampler, generator)` (every step's x_{t-1} and predicted x_0, in [-1, 1]).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch

from trainer.errors import raise_if_cancelled
from trainer.explore import to_uint8

Progress = Callable[[float, str], None]


@dataclass(frozen=True)
class ChainFrames:
    """Per step of one chain: the state x_t it starts from, its predicted x_0, and t."""

    noisy: np.ndarray  # (steps, 28, 28) uint8: x_t
    predicted: np.ndarray  # (steps, 28, 28) uint8: the x_0 predicted from x_t
    timesteps: tuple[int, ...]  # t of each step, from T - 1 down to 0
    sampler: str
    seed: int
    samplers: tuple[str, ...]  # every sampler the model offers, for the next run's choice

    def __len__(self) -> int:
        return len(self.timesteps)


def chain_frames(
    learner,
    seed: int,
    sampler: str | None = None,
    cancel: threading.Event | None = None,
    progress: Progress | None = None,
) -> ChainFrames:
    """Run the chain of `learner.samplers()[sampler]` (None: the one of fewest steps) from x_T
    drawn with `seed`, recording every step; checks `cancel` before each network evaluation."""
    offered = learner.samplers()
    if sampler is None:
        sampler = min(offered, key=lambda name: len(offered[name].timesteps))
    chosen = offered[sampler]
    generator = torch.Generator().manual_seed(seed)
    x_t = torch.randn(1, 1, 28, 28, generator=generator).to(learner.device)
    timesteps = tuple(int(t) for t in chosen.timesteps.tolist())
    noisy, predicted = [], []
    with learner.evaluating():
        steps = learner.chain(x_t.flatten(1), chosen, generator)
        for i in range(len(timesteps)):
            raise_if_cancelled(cancel)
            output = next(steps)
            noisy.append(_to_image(x_t))
            predicted.append(_to_image(output.pred_original_sample))
            x_t = output.prev_sample
            if progress is not None:
                progress((i + 1) / len(timesteps), f"Denoising: step {i + 1} of {len(timesteps)}")
    return ChainFrames(
        np.stack(noisy), np.stack(predicted), timesteps, sampler, seed, tuple(offered)
    )


def _to_image(x: torch.Tensor) -> np.ndarray:
    """One image in [-1, 1] (1, 1, 28, 28) -> uint8 (28, 28), clipped as the grids are."""
    return to_uint8(((x[0, 0].clamp(-1, 1) + 1) / 2).cpu().numpy())
