"""What the loop drives: a learner per model (its networks, optimizers, step and evaluation).

The registry names each model's learner; this package gathers them under one import.
"""

from trainer.learners.base import EVAL_BATCH, GRID_SIZE, Learner, adam, fixed_noise
from trainer.learners.ddpm import DDPMLearner
from trainer.learners.flow import FlowLearner
from trainer.learners.gan import CGANLearner, GANLearner
from trainer.learners.resolve import BUILT_IN, learner_class, make_learner
from trainer.learners.vae import CVAELearner, VAELearner
from trainer.learners.wgan import WGANLearner

__all__ = [
    "BUILT_IN",
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
    "learner_class",
    "make_learner",
]
