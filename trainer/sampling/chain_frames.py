"""One sampling chain recorded step by step: x_t and the predicted x_0 at every timestep (the
DDPM), or the sample before and after each scale's latents are added (the flow).

Qt-free, so the GUI's 'Watch a sample being made' view and scripts share it. Which models have a
chain is the registry's `ModelSpec.sampling_chain`; their learners offer `samplers()` (by name,
each with its `timesteps`), `chain_origin(z)` (the state before the first step), `chain(z,
sampler, generator)` (every step's next state and its guess at the sample, in [-1, 1]; a
conditional model's also takes `labels`) and `chain_words` (what the view calls them).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch

from trainer.common.errors import raise_if_cancelled
from trainer.common.pixels import signed_to_unit, to_uint8
from trainer.learners import learner_class
from trainer.learners.chain_words import ChainWords
from trainer.registry import get_model

Progress = Callable[[float, str], None]


@dataclass(frozen=True)
class ChainFrames:
    """Per step of one chain: the state it starts from (x_t), its guess at the sample
    (predicted x_0), and its timestep."""

    noisy: np.ndarray  # (steps, 28, 28) uint8: x_t
    predicted: np.ndarray  # (steps, 28, 28) uint8: the x_0 predicted from x_t
    timesteps: tuple[int, ...]  # each step's number in the model's words (the DDPM's t)
    sampler: str
    seed: int
    samplers: tuple[str, ...]  # every sampler the model offers, for the next run's choice
    model: str  # its registry name

    def __len__(self) -> int:
        return len(self.timesteps)

    @property
    def words(self) -> ChainWords:
        """What its model calls the panes and steps."""
        return chain_words(self.model)

    def step_name(self, index: int) -> str:
        """'t = 980': step `index` in the model's words."""
        return self.words.step.format(self.timesteps[index])


def chain_words(model: str) -> ChainWords:
    """What `model`'s chain view calls its panes and steps (its learner's `chain_words`)."""
    return learner_class(get_model(model)).chain_words


def chain_frames(
    learner,
    seed: int,
    sampler: str | None = None,
    cancel: threading.Event | None = None,
    progress: Progress | None = None,
    label: int | None = None,
) -> ChainFrames:
    """Run the chain of `learner.samplers()[sampler]` (None: the one of fewest steps) from noise
    drawn with `seed`, recording every step; checks `cancel` before each network evaluation.

    `label`: the class a conditional model makes (the guided DDPM at its guidance dial's w);
    None leaves the learner's chain as it is (the guided DDPM's: unconditional)."""
    offered = learner.samplers()
    if sampler is None:
        sampler = min(offered, key=lambda name: len(offered[name].timesteps))
    chosen = offered[sampler]
    generator = torch.Generator().manual_seed(seed)
    z = torch.randn(1, learner.config.latent_dim, generator=generator).to(learner.device)
    timesteps = tuple(int(t) for t in chosen.timesteps.tolist())
    words = learner.chain_words
    noisy, predicted = [], []
    with learner.evaluating():
        x_t = learner.chain_origin(z)
        if label is None:
            steps = learner.chain(z, chosen, generator)
        else:
            labels = torch.tensor([label], device=learner.device)
            steps = learner.chain(z, chosen, generator, labels=labels)
        for i in range(len(timesteps)):
            raise_if_cancelled(cancel)
            output = next(steps)
            noisy.append(_to_image(x_t))
            predicted.append(_to_image(output.pred_original_sample))
            x_t = output.prev_sample
            if progress is not None:
                done = f"{words.verb}: step {i + 1} of {len(timesteps)}"
                progress((i + 1) / len(timesteps), done)
    return ChainFrames(
        np.stack(noisy),
        np.stack(predicted),
        timesteps,
        sampler,
        seed,
        tuple(offered),
        learner.config.model,
    )


def _to_image(x: torch.Tensor) -> np.ndarray:
    """One image in [-1, 1] (1, 1, 28, 28) -> uint8 (28, 28), clipped as the grids are."""
    return to_uint8(signed_to_unit(x[0, 0]).cpu().numpy())
