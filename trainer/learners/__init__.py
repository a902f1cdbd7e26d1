"""What the loop drives (layer 4): a learner per model (its networks, optimizers, step and
evaluation), and the words a sampling chain's view uses.

A registry entry names its learner by class name (the registry knows no learner);
`resolve` turns the name into the class and builds the learner.
"""

from trainer.learners.base import EVAL_BATCH, GRID_SIZE, Learner, adam, fixed_noise
from trainer.learners.biggan import BigGANLearner
from trainer.learners.cycle_gan import CycleGANLearner
from trainer.learners.ddpm import DDPMLearner
from trainer.learners.flow import FlowLearner
from trainer.learners.gan import CGANLearner, GANLearner
from trainer.learners.guided import GuidedDDPMLearner
from trainer.learners.rbm import RBMLearner
from trainer.learners.resolve import BUILT_IN, learner_class, make_learner
from trainer.learners.vae import CVAELearner, VAELearner
from trainer.learners.wgan import WGANLearner

__all__ = [
    "BUILT_IN",
    "EVAL_BATCH",
    "GRID_SIZE",
    "BigGANLearner",
    "CGANLearner",
    "CVAELearner",
    "CycleGANLearner",
    "DDPMLearner",
    "FlowLearner",
    "GANLearner",
    "GuidedDDPMLearner",
    "Learner",
    "RBMLearner",
    "VAELearner",
    "WGANLearner",
    "adam",
    "fixed_noise",
    "learner_class",
    "make_learner",
]
