"""A path's frames through a slow decoder, decoded one by one: the same strip, the ends'
round trip, progress and cancel (a conditional toy autoencoder stands in for the DDPM)."""

from __future__ import annotations

import threading

import numpy as np
import pytest
import torch

from tests.toy_model import cond_toy_models  # noqa: F401  (a fixture)
from trainer.common.errors import Cancelled
from trainer.config.settings import default_config
from trainer.learners import make_learner
from trainer.sampling.explore import Interpolator
from trainer.sampling.path_frames import PathRequest, path_frames, round_trip_errors


@pytest.fixture
def learner(cond_toy_models):  # noqa: F811
    return make_learner(default_config("cvtoy", seed=1), torch.device("cpu"))


def test_frames_of_test_images_are_the_strip_of_their_codes_with_the_ends_round_trip(
    learner, tiny_data
):
    images, labels = tiny_data.test.images[:2], tiny_data.test.labels[:2]
    classes = (int(labels[0]), int(labels[1]))
    request = PathRequest(5, "slerp", True, images=images.numpy(), classes=classes)
    reports = []
    frames = path_frames(learner, request, lambda f, text: reports.append(f))
    x = images.unsqueeze(1).float() / 255
    codes = learner.encode(x, labels).numpy()
    strip = Interpolator(learner.sample_images).strip(*codes, 5, "slerp", True, classes)
    np.testing.assert_allclose(frames.images, strip.images, atol=1e-6)
    np.testing.assert_allclose(frames.ts, strip.ts)
    recons = learner.reconstruct(x, labels)[:, 0].numpy()
    np.testing.assert_allclose(frames.reconstructions, recons, atol=1e-6)
    by_hand = ((recons - x[:, 0].numpy()) ** 2).mean(axis=(1, 2))
    np.testing.assert_allclose(frames.errors, by_hand, rtol=1e-5)
    assert frames.errors.min() > 0  # an untrained toy reconstructs badly: this is no copy
    # 2 encodings and 5 decodings: the overshot strip of 5 holds t = 0 and 1, decoded once
    assert len(reports) == 1 + 2 + 5 and reports == sorted(reports) and reports[-1] < 1


def test_codes_are_decoded_without_a_round_trip_and_cancel_stops_it(learner):
    ends = np.random.default_rng(0).normal(size=(2, 4)).astype(np.float32)
    request = PathRequest(3, "linear", codes=ends, classes=(0, 1))
    frames = path_frames(learner, request)
    assert frames.images.shape == (3, 28, 28) and frames.errors is None
    np.testing.assert_array_equal(frames.codes[[0, -1]], ends)
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(Cancelled):
        path_frames(learner, request, cancel=cancel)


def test_round_trip_errors_are_per_pixel_on_the_unit_scale():
    originals = np.full((2, 28, 28), 255, np.uint8)
    decoded = np.stack([np.ones((28, 28)), np.full((28, 28), 0.5)])
    np.testing.assert_allclose(round_trip_errors(originals, decoded), [0.0, 0.25])
