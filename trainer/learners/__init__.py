"""What the loop drives: a learner per model (its networks, optimizers, step and evaluation).

The registry names each model's learner; this package gathers them under one import.
"""

from trainer.learners.base import (
    EVAL_BATCH,
    GRID_SIZE,
    Learner,
    adam,
    fixed_noise,
    make_learner,
    to_unit,
)
from trainer.learners.ddpm import DDPMLearner
from trainer.learners.flow import FlowLearner
from trainer.learners.gan import CGANLearner, GANLearner
from trainer.learners.vae import CVAELearner, VAELearner
from trainer.learners.wgan import WGANLearner

__all__ = [
    "EVAL_BATCH",
    "GRID_SIZE",
    "CGANLearner",
    "CVAELearner",
    "DDPMLearner",
    "FlowLearner",
    "GANLearner",
    "Learner",
    "VAELearner",
    "WGANLearner",
    "adam",
    "fixed_noise",
    "make_learner",
    "to_unit",
]
