"""One recorded sampling chain (trainer.sampling.chain_frames): a frame per step, ending at the
sample."""

from __future__ import annotations

import threading

import numpy as np
import pytest
import torch

from trainer.common.errors import Cancelled
from trainer.common.pixels import to_uint8
from trainer.config.settings import default_config
from trainer.learners import make_learner
from trainer.sampling.chain_frames import chain_frames

pytestmark = pytest.mark.usefixtures("small_networks")


@pytest.fixture
def learner(tiny_data):
    """A DDPM trained two steps (its weight average no longer equals its U-Net), in eval mode
    as the app reads a run: sampling goes through the average."""
    learner = make_learner(default_config("ddpm", lr=3e-3), torch.device("cpu"))
    for _ in range(2):
        learner.train_step(tiny_data.train.images[:8])
    learner.model.eval()
    return learner


def test_a_chain_has_a_frame_per_step_and_ends_at_the_samplers_sample(learner):
    frames = chain_frames(learner, seed=5, sampler="DDIM, 50 steps")
    assert len(frames) == 50 and frames.noisy.shape == frames.predicted.shape == (50, 28, 28)
    assert frames.timesteps[0] > frames.timesteps[-1] == 0
    z = torch.randn(1, 784, generator=torch.Generator().manual_seed(5))
    sample = to_uint8(learner.sample_images(z)[0, 0].numpy())  # DDIM in 50 steps
    np.testing.assert_array_equal(frames.predicted[-1], sample)
    assert not np.array_equal(frames.noisy[0], frames.predicted[-1])  # x_T is noise


def test_without_a_sampler_it_runs_the_one_of_fewest_steps(learner):
    frames = chain_frames(learner, seed=0)
    assert frames.sampler == "DDIM, 3 steps" and len(frames) == 3  # GRID_STEPS of small networks
    assert frames.sampler in frames.samplers


def test_cancel_stops_the_chain_at_the_next_step(learner):
    cancel, done = threading.Event(), []

    def progress(fraction: float, text: str) -> None:
        done.append(fraction)
        if len(done) == 2:
            cancel.set()

    with pytest.raises(Cancelled):
        chain_frames(learner, 0, "DDIM, 50 steps", cancel, progress)
    assert len(done) == 2


def test_the_flows_chain_adds_its_latents_a_scale_at_a_time_coarsest_first(tiny_data):
    """Step k decodes z with the k coarsest parts drawn and the rest at 0; it starts from the
    all-zero latent and ends at the sample itself (one inverse pass of all of z)."""
    learner = make_learner(default_config("flow", lr=3e-3), torch.device("cpu"))
    for _ in range(2):
        learner.train_step(tiny_data.train.images[:8])
    learner.model.eval()
    frames = chain_frames(learner, seed=4)
    assert frames.sampler == "coarse to fine, temperature 1" and len(frames) == 3
    assert frames.model == "flow"
    assert frames.timesteps == (196, 392, 784) and frames.step_name(0) == "196 of 784 latents drawn"
    z = torch.randn(1, 784, generator=torch.Generator().manual_seed(4))
    sample = to_uint8(learner.sample_images(z)[0, 0].numpy())
    np.testing.assert_array_equal(frames.predicted[-1], sample)
    zero = to_uint8(learner.decode(torch.zeros(1, 784))[0, 0].numpy())
    np.testing.assert_array_equal(frames.noisy[0], zero)
    coarse = torch.zeros(1, 784)
    coarse[:, 588:] = z[:, 588:]  # the final block's 196 latents: the coarsest part
    np.testing.assert_array_equal(
        frames.predicted[0], to_uint8(learner.decode(coarse)[0, 0].numpy())
    )
    np.testing.assert_array_equal(frames.noisy[1:], frames.predicted[:-1])  # before = last after
    cooled = chain_frames(learner, seed=4, sampler="coarse to fine, temperature 0.7")
    cool = to_uint8(learner.sample_images(z * 0.7)[0, 0].numpy())
    np.testing.assert_array_equal(cooled.predicted[-1], cool)
