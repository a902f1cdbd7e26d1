"""RealNVP: exact inverse, log-determinant, learning (its bits/dim at initialisation:
tests/trainer/learners/test_likelihood_closed_forms.py)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from trainer.config.settings import default_config
from trainer.learners import make_learner
from trainer.models.flow import RealNVP, logit_preprocess

CPU = torch.device("cpu")


def perturbed(flow: RealNVP, scale: float = 0.05, seed: int = 0) -> RealNVP:
    """The flow with every weight moved off its identity initialisation."""
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for parameter in flow.parameters():
            parameter.add_(scale * torch.randn(parameter.shape, generator=generator))
    return flow


def flow_learner(**config):
    return make_learner(default_config("flow", device="cpu", **config), CPU)


@pytest.mark.usefixtures("small_networks")
def test_inverse_reconstructs_inputs_and_latents():
    flow = perturbed(flow_learner().model)
    y = torch.rand(6, 1, 28, 28, generator=torch.Generator().manual_seed(1)) * 0.98 + 0.01
    z, _ = flow(y)
    assert z.shape == (6, 784) and not torch.allclose(z.reshape(y.shape), y)  # not the identity
    assert torch.allclose(flow.inverse(z), y, atol=1e-4)
    # latents -> images -> latents in float64: prior draws may decode to pixels so near 0 or 1
    # that float32's logit loses the digits
    z = torch.randn(2, 784, generator=torch.Generator().manual_seed(2), dtype=torch.float64)
    flow = flow.double()
    assert torch.allclose(flow(flow.inverse(z))[0], z, atol=1e-6)


@pytest.mark.usefixtures("small_networks")
def test_encode_and_decode_are_exact_inverses_on_images(tiny_data):
    learner = flow_learner()
    perturbed(learner.model)
    x = tiny_data.test.images[:4].unsqueeze(1).float() / 255
    codes = learner.encode(x)
    assert codes.shape == (4, 784)
    assert torch.allclose(learner.decode(codes), x, atol=1e-4)  # interpolation ends: originals
    assert torch.allclose(learner.reconstruct(x), x, atol=1e-4)
    samples = learner.sample_images(torch.randn(3, 784))
    assert samples.shape == (3, 1, 28, 28) and samples.min() >= 0 and samples.max() <= 1


def test_log_determinant_matches_the_brute_force_jacobian():
    with torch.random.fork_rng():
        torch.manual_seed(0)
        flow = RealNVP(size=8, widths=(4, 4, 4), couplings=2, final_couplings=2).double()
    perturbed(flow, scale=0.1)  # larger moves make the Jacobian too ill-conditioned to check
    y = torch.rand(1, 1, 8, 8, dtype=torch.float64, generator=torch.Generator().manual_seed(3))
    _, log_det = flow(y)
    jacobian = torch.autograd.functional.jacobian(lambda v: flow(v.reshape(1, 1, 8, 8))[0][0], y)
    sign, brute_force = torch.linalg.slogdet(jacobian.reshape(64, 64))
    assert sign == 1  # every layer preserves orientation
    assert abs(log_det.item() - brute_force.item()) < 1e-9
    # the preprocessing alone gives log(1 - 2 alpha) - log p(1 - p) per pixel; the perturbed
    # couplings add to it
    _, preprocessing_only = logit_preprocess(y)
    assert abs(brute_force.item() - preprocessing_only.item()) > 1


@pytest.mark.usefixtures("small_networks")
def test_flow_steps_reduce_the_loss_on_one_batch(tiny_data):
    learner = flow_learner(seed=3)
    batch = tiny_data.train.images[:32]
    bits = [learner.train_step(batch)["bits_per_dim"] for _ in range(15)]
    assert bits[0] > 8  # the identity flow fits data badly
    assert np.mean(bits[-3:]) < bits[0] - 2
