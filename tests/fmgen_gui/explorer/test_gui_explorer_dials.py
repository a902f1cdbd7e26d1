"""The explorer's sampler-dial sliders, as a user drives them: a model whose entry declares a
dial gets a slider that draws the same seeds again at the new value, in the background
(pytest-qt, offscreen; the test-only toy whose dial scales its samples' brightness)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import torch

from fmgen_gui.explorer.chain_view import ChainDialog
from fmgen_gui.explorer.dial_state import (
    SLIDER_STEPS,
    DialSettings,
    position_of,
    slider_top,
    value_at,
)
from fmgen_gui.model_store import ModelStore
from tests.explorer_helpers import explore, main_window  # noqa: F401  (a fixture)
from tests.runs import tiny_run
from tests.toy_model import BRIGHTNESS, COND_TOY, DIAL_TOY
from trainer.common.pixels import to_uint8
from trainer.learners.ddpm import DDPMLearner
from trainer.registry import get_model, register_model, unregister_model
from trainer.runs.loading import load_learner

pytestmark = pytest.mark.timeout(180)
# the dial toy as a multi-step sampler: its strips are decoded in the background (SlowPath)
SLOW_DIAL_TOY = dataclasses.replace(DIAL_TOY, name="dstoy", label="DSToy", sample_cost=2)
TOYS = (DIAL_TOY, SLOW_DIAL_TOY, COND_TOY)


@pytest.fixture(scope="module")
def runs(tiny_data_dir, tmp_path_factory):
    """Tiny runs of the toy with a brightness dial and of a conditional toy without dials."""
    out = tmp_path_factory.mktemp("runs")
    for spec in TOYS:
        register_model(spec)
    yield {spec.name: tiny_run(spec.name, tiny_data_dir, out / spec.name) for spec in TOYS}
    for spec in TOYS:
        unregister_model(spec.name)


def test_slider_positions_cover_the_range_and_the_off_end():
    assert value_at(BRIGHTNESS, 0) == BRIGHTNESS.low
    assert value_at(BRIGHTNESS, SLIDER_STEPS) == BRIGHTNESS.high
    assert value_at(BRIGHTNESS, slider_top(BRIGHTNESS)) is None  # 'plain', past the high end
    for value in (0.0, 0.5, 1.0, 2.0, None):
        assert value_at(BRIGHTNESS, position_of(BRIGHTNESS, value)) == value
    assert position_of(BRIGHTNESS, 99.0) == SLIDER_STEPS  # clamped, never 'off' by accident


def test_dial_settings_are_per_source_and_start_at_the_defaults(runs):
    settings = DialSettings()
    assert settings.of("dtoy") == {"brightness": 1.0} and settings.at_defaults("dtoy")
    assert settings.of("ctoy") == {} and settings.caption("ctoy") == ""
    assert settings.set("dtoy", "brightness", None) and not settings.set("dtoy", "brightness", None)
    assert settings.caption("dtoy") == "Brightness b = plain" and not settings.at_defaults("dtoy")


def expected_images(checkpoint, codes, labels, value) -> np.ndarray:
    """The toy's own drawing of `codes` as `labels` at brightness `value`."""
    learner, _ = load_learner(checkpoint, "dtoy")
    learner.dials["brightness"] = value
    with torch.no_grad():
        images = learner.sample_images(torch.from_numpy(codes), torch.from_numpy(labels))
    return to_uint8(images[:, 0].numpy())


def turn(explorer, qtbot, value) -> None:
    """Move the slider to `value` and wait for the gallery to be drawn again."""
    slider = explorer.dial_bar.sliders["brightness"]
    slider.slider.setValue(position_of(BRIGHTNESS, value))
    qtbot.waitUntil(lambda: not explorer.dial_bar.progress.isVisible(), timeout=60000)
    qtbot.waitUntil(lambda: explorer.dial_redraw._job is None, timeout=60000)


def test_the_slider_draws_the_same_seeds_again(window, qtbot, runs):
    explorer = explore(window, qtbot, runs, "dtoy")
    assert explorer.dial_bar.isVisible() and explorer.class_bar.isVisible()  # both stay
    slider = explorer.dial_bar.sliders["brightness"]
    assert slider.caption.text() == "Brightness b = 1" and slider.slider.maximum() == 41
    explorer.class_bar.generate.click()  # seeded draws of a class, after the 64 grid samples
    before = explorer.candidates
    codes, labels = before.codes.copy(), before.labels.astype(np.int64)
    checkpoint = window.models.checkpoint_path("dtoy")
    turn(explorer, qtbot, 0.5)
    after = explorer.candidates
    assert np.array_equal(after.codes, codes) and np.array_equal(after.seeds, before.seeds)
    assert np.array_equal(after.images, expected_images(checkpoint, codes, labels, 0.5))
    assert not np.array_equal(after.images, before.images)  # darker: a different value
    assert explorer.dial_bar.note.text() == "Drawn at Brightness b = 0.5."
    gallery = explorer.gallery.model.images
    assert np.array_equal(gallery, after.images)
    # the strip and its export are drawn at the slider's value and say so
    explorer.picking.pick(0)
    explorer.picking.pick(1)
    assert explorer.learners["dtoy"].dials == {"brightness": 0.5}
    assert explorer.exports.title().endswith(", Brightness b = 0.5")
    turn(explorer, qtbot, 1.0)
    assert np.array_equal(explorer.candidates.images, before.images)  # the same value again
    turn(explorer, qtbot, None)  # 'plain' leaves the toy's images as at 1
    assert slider.caption.text() == "Brightness b = plain"
    assert np.array_equal(explorer.candidates.images, before.images)
    # a model without dials shows no sliders
    window.open_run(runs["ctoy"])
    explorer.model_choice.setCurrentIndex(explorer.model_choice.findData("ctoy"))
    qtbot.waitUntil(lambda: explorer.source == "ctoy", timeout=60000)
    assert not explorer.dial_bar.isVisible() and explorer.class_bar.isVisible()
    assert not explorer.dial_bar.sliders


def test_a_slow_strip_is_decoded_again_at_the_new_value(window, qtbot, runs):
    explorer = explore(window, qtbot, runs, "dstoy")
    explorer.picking.pick(0)
    explorer.picking.pick(1)
    qtbot.waitUntil(lambda: explorer.slow.frames is not None, timeout=60000)
    plain = explorer.slow.frames.images
    assert plain.max() > 0.1  # something to darken
    explorer.dial_bar.sliders["brightness"].slider.setValue(position_of(BRIGHTNESS, 0.5))
    qtbot.waitUntil(lambda: explorer.slow.frames is not None, timeout=60000)
    assert np.allclose(explorer.slow.frames.images, plain * 0.5, atol=1e-6)  # the toy's dial
    assert np.allclose(explorer.strip.images, plain * 0.5, atol=1e-6)


class DialDDPMLearner(DDPMLearner):
    """The DDPM whose chain starts from its noise scaled by the brightness dial (test-only)."""

    def chain_origin(self, z: torch.Tensor) -> torch.Tensor:
        scale = self.dials[BRIGHTNESS.name]
        return super().chain_origin(z) * (1.0 if scale is None else scale)


@pytest.mark.usefixtures("small_networks")
def test_watch_a_sample_being_made_runs_at_the_sliders_value(qtbot, tiny_data_dir, tmp_path):
    spec = dataclasses.replace(
        get_model("ddpm"), name="dddpm", label="DDDPM", learner=DialDDPMLearner, dials=(BRIGHTNESS,)
    )
    register_model(spec)
    try:
        store = ModelStore()
        store.set_checkpoint("dddpm", tiny_run("dddpm", tiny_data_dir, tmp_path) / "checkpoint.pt")
        settings = DialSettings()
        dialog = ChainDialog(store, settings)
        qtbot.addWidget(dialog)
        chains = []
        for value in (1.0, 0.5):
            settings.set("dddpm", BRIGHTNESS.name, value)
            with qtbot.waitSignal(dialog.runner.finished, timeout=60000):
                dialog.run_button.click()
            chains.append(dialog.frames)
        first, darker = (chain.noisy[0].astype(float) - 127.5 for chain in chains)
        assert np.abs(darker).mean() < 0.75 * np.abs(first).mean()  # x_T at half the scale
        assert dialog.status.text().endswith(", Brightness b = 0.5: drag the slider through it.")
        assert dialog._title().startswith("DDDPM: ")
        dialog.close()
    finally:
        unregister_model("dddpm")


def test_cancel_turns_back_and_a_cut_short_redraw_is_done_when_shown_again(window, qtbot, runs):
    explorer = explore(window, qtbot, runs, "dtoy")
    slider = explorer.dial_bar.sliders["brightness"].slider
    before = explorer.candidates.images.copy()
    slider.setValue(position_of(BRIGHTNESS, 0.5))
    explorer.dial_bar.cancel.click()  # before the job's result can arrive (queued to this thread)
    assert explorer.dials.of("dtoy") == {"brightness": 1.0}
    assert explorer.learners["dtoy"].dials == {"brightness": 1.0}
    assert explorer.dial_bar.sliders["brightness"].caption.text() == "Brightness b = 1"
    qtbot.wait(200)
    assert np.array_equal(explorer.candidates.images, before)
    # a redraw cut short by another source's is done when its source is shown again
    explore(window, qtbot, runs, "dstoy")
    explore(window, qtbot, runs, "dtoy")
    explorer.dial_bar.sliders["brightness"].slider.setValue(position_of(BRIGHTNESS, 0.5))
    explorer.model_choice.setCurrentIndex(explorer.model_choice.findData("dstoy"))  # at once
    explorer.dial_bar.sliders["brightness"].slider.setValue(position_of(BRIGHTNESS, 0.25))
    assert explorer.dial_redraw.drawn["dtoy"] == {"brightness": 1.0}  # dtoy's was dropped
    explorer.model_choice.setCurrentIndex(explorer.model_choice.findData("dtoy"))
    qtbot.waitUntil(
        lambda: explorer.dial_redraw.drawn["dtoy"] == {"brightness": 0.5}, timeout=60000
    )
    checkpoint = window.models.checkpoint_path("dtoy")
    shown = explorer.candidates
    expected = expected_images(checkpoint, shown.codes, shown.labels.astype(np.int64), 0.5)
    assert np.array_equal(shown.images, expected)
