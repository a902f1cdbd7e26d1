"""What a model's sampling chain is called in 'Watch a sample being made' and its exports.

The learners own their words, and trainer.sampling.chain_frames, which shows the chain, sits
above the learners: so the words live here, with the learners.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ChainWords:
    """What a model's chain is called: the two panes, a step, and their captions in exports
    (format strings of the step's timestep)."""

    state: str = "x_t (the chain's state)"
    result: str = "predicted x_0"
    step: str = "t = {}"
    state_caption: str = "x_t, t={}"
    result_caption: str = "x_0 from t={}"
    verb: str = "Denoising"


DENOISING = ChainWords()
