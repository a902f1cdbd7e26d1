"""From a registry entry to its learner: the entries name a built-in learner by its class name
(the registry knows no learner), a test's toy entry hands its class itself."""

from __future__ import annotations

import torch

from trainer.config.precision import FP32, Precision
from trainer.config.settings import RunConfig
from trainer.learners.base import Learner
from trainer.learners.biggan import BigGANLearner
from trainer.learners.cycle_gan import CycleGANLearner
from trainer.learners.ddpm import DDPMLearner
from trainer.learners.flow import FlowLearner
from trainer.learners.gan import CGANLearner, GANLearner
from trainer.learners.guided import GuidedDDPMLearner
from trainer.learners.rbm import RBMLearner
from trainer.learners.vae import CVAELearner, VAELearner
from trainer.learners.wgan import WGANLearner
from trainer.registry import ModelSpec, get_model

BUILT_IN: dict[str, type[Learner]] = {
    cls.__name__: cls
    for cls in (
        VAELearner,
        CVAELearner,
        GANLearner,
        CGANLearner,
        WGANLearner,
        BigGANLearner,
        FlowLearner,
        DDPMLearner,
        GuidedDDPMLearner,
        RBMLearner,
        CycleGANLearner,
    )
}


def learner_class(spec: ModelSpec) -> type[Learner]:
    """The learner class of `spec`: its own class, or the built-in one it names."""
    if isinstance(spec.learner, str):
        return BUILT_IN[spec.learner]
    return spec.learner


def make_learner(config: RunConfig, device: torch.device, precision: Precision = FP32) -> Learner:
    """The learner the registry names for `config.model`, on `device`, training in `precision`."""
    return learner_class(get_model(config.model))(config, device, precision)
