"""The registry's default flow and DDPM networks, not the small stand-ins the other tests use:
built with default settings, one training step, one sample."""

from __future__ import annotations

import math

import pytest
import torch

from trainer.config.settings import default_config
from trainer.learners import make_learner

# The sizes of the defaults, as the committed benchmark tables print them
# (benchmarks/results/2026-11-25-h100-equal-time-50s.md): a stand-in would differ.
PARAMETERS = {"flow": 1_299_873, "ddpm": 1_062_497}

pytestmark = pytest.mark.timeout(240)


@pytest.mark.parametrize("model", ["flow", "ddpm"])
def test_the_default_network_takes_a_training_step_and_samples(model, tiny_data):
    learner = make_learner(default_config(model, device="cpu", seed=1), torch.device("cpu"))
    assert learner.trained_parameters == PARAMETERS[model]
    before = [p.detach().clone() for p in learner.model.parameters() if p.requires_grad]
    metrics = learner.train_step(tiny_data.train.images[:8])
    assert len(metrics) == 1 and all(math.isfinite(v) for v in metrics.values())
    after = [p for p in learner.model.parameters() if p.requires_grad]
    assert any(not torch.equal(a, b) for a, b in zip(after, before, strict=True))  # it learnt
    sample = learner.generate(1, torch.Generator().manual_seed(2))
    assert sample.shape == (1, 1, 28, 28) and torch.isfinite(sample).all()
    assert sample.min() >= 0 and sample.max() <= 1 and sample.std() > 0.01  # an image, not flat
