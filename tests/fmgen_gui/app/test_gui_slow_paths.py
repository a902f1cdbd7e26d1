"""A slow (multi-step) model in the explorer: its strip is decoded in the background with
progress and cancel, and the slider shows computed frames (pytest-qt, offscreen).

A toy autoencoder the registry calls slow to encode and decode (as it calls the DDPM, whose
DDIM inversion and decoding take 50 network passes each) proves the pane reads the registry.
"""

from __future__ import annotations

import dataclasses
import time

import numpy as np
import pytest
import torch
from PIL import Image

from tests.gui_helpers import make_window
from tests.runs import tiny_run
from tests.toy_model import COND_ENCODER_TOY, CondToyLearner
from trainer.registry import register_model, unregister_model
from trainer.runs.loading import load_learner

pytestmark = pytest.mark.timeout(120)


class SlowToyLearner(CondToyLearner):
    """The conditional toy autoencoder with its class fixed: an unconditional encoder model;
    `delay` seconds per decoding call stand in for a multi-step sampler."""

    delay = 0.0

    def sample_images(self, z: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        time.sleep(self.delay)
        return super().sample_images(z, torch.zeros(len(z), dtype=torch.long))

    def encode(self, x: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        return super().encode(x, torch.zeros(len(x), dtype=torch.long))


SLOW_TOY = dataclasses.replace(
    COND_ENCODER_TOY,
    name="slowtoy",
    label="SlowToy",
    learner=SlowToyLearner,
    conditional=False,
    encode_cost=50,
    sample_cost=50,
    sampler="50 toy steps",
)


@pytest.fixture(scope="module")
def run(tiny_data_dir, tmp_path_factory):
    register_model(SLOW_TOY)
    yield tiny_run("slowtoy", tiny_data_dir, tmp_path_factory.mktemp("runs"))
    unregister_model(SLOW_TOY.name)


@pytest.fixture
def explorer(qtbot, tmp_path, tiny_data_dir, run):
    window = make_window(qtbot, tmp_path, tiny_data_dir)
    window.open_run(run)
    explorer = window.explorer
    window.tabs.setCurrentWidget(explorer)
    explorer.model_choice.setCurrentIndex(explorer.model_choice.findData("slowtoy"))
    qtbot.waitUntil(lambda: explorer.candidates is not None, timeout=30000)
    yield explorer
    window.close()


def pick(explorer, a: int, b: int) -> None:
    explorer.picking.pick(a)
    explorer.picking.pick(b)


def test_test_images_are_offered_unencoded_and_the_strip_comes_from_the_background(
    explorer, qtbot, run
):
    assert explorer.candidates.codes.shape == (100, 0) and not explorer.map.isVisible()
    assert "100 test images, the two picked encoded then." in explorer.status.text()
    pick(explorer, 2, 5)
    assert explorer.strip is None and explorer.slow.bar.isVisible()  # nothing decoded here
    assert "background" in explorer.path_plot.note.text()
    qtbot.waitUntil(lambda: explorer.strip is not None, timeout=30000)
    assert len(explorer.strip.images) == 9 and not explorer.slow.bar.isVisible()
    learner, _ = load_learner(run)
    x = torch.from_numpy(explorer.candidates.images[[2, 5]]).unsqueeze(1).float() / 255
    errors = ((learner.reconstruct(x) - x) ** 2).mean(dim=(1, 2, 3)).tolist()
    assert f"A {errors[0]:.4f}, B {errors[1]:.4f}" in explorer.slow.note.text()
    np.testing.assert_allclose(
        explorer.strip.images[[0, -1]], learner.reconstruct(x)[:, 0], atol=1e-6
    )


def test_the_slider_and_the_gif_show_computed_frames_without_decoding(explorer, qtbot, tmp_path):
    pick(explorer, 2, 5)
    qtbot.waitUntil(lambda: explorer.strip is not None, timeout=30000)
    decoded = []
    real = explorer.interpolator.decode
    explorer.interpolator.decode = lambda *args: decoded.append(1) or real(*args)
    explorer.view.set_t(0.3)
    qtbot.waitUntil(lambda: explorer.view.t_label.text() == "t = 0.25")
    np.testing.assert_array_equal(explorer.shown_image, explorer.strip.images[2])
    assert not decoded
    explorer.view.steps.setValue(5)  # a new path: decoded anew, in the background
    qtbot.waitUntil(lambda: explorer.strip is not None and len(explorer.strip.ts) == 5)
    gif = explorer.exports.save_gif(tmp_path / "scrub.gif")
    assert Image.open(gif).n_frames == 8  # the 5 computed images there and back, ends once
    assert not decoded


def test_cancel_stops_the_decoding_and_decode_again_restarts_it(explorer, qtbot, monkeypatch):
    monkeypatch.setattr(SlowToyLearner, "delay", 0.3)
    pick(explorer, 2, 5)
    qtbot.waitUntil(lambda: explorer.slow.bar.value() > 0, timeout=30000)
    explorer.slow.button.click()
    assert explorer.slow.note.text() == "Cancelled." and explorer.slow.button.text() != "Cancel"
    qtbot.waitUntil(lambda: not explorer.slow.runner.is_busy(), timeout=10000)
    explorer.update_path()  # e.g. the classifier arrives: a cancelled path stays cancelled
    assert explorer.strip is None and not explorer.slow.runner.is_busy()
    monkeypatch.setattr(SlowToyLearner, "delay", 0.0)
    explorer.slow.button.click()
    qtbot.waitUntil(lambda: explorer.strip is not None, timeout=30000)


def test_closing_the_window_ends_the_decoding(explorer, qtbot, monkeypatch):
    monkeypatch.setattr(SlowToyLearner, "delay", 0.5)
    pick(explorer, 2, 5)
    qtbot.waitUntil(lambda: explorer.slow.bar.value() > 0, timeout=30000)
    started = time.monotonic()
    explorer.window().close()
    assert time.monotonic() - started < 5 and not explorer.slow.runner.is_running()
