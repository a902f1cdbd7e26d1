"""Explore's translation page for a model that translates (CycleGAN): a real tiny trained run,
driven as a user does (pytest-qt, offscreen)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from PySide6.QtCore import Qt

from tests.explorer_helpers import main_window  # noqa: F401  (a fixture)
from tests.runs import tiny_run
from trainer.registry import get_model
from trainer.runs.loading import load_learner

pytestmark = pytest.mark.timeout(240)


@pytest.fixture(scope="module")
def runs(tiny_data_dir, tmp_path_factory):
    """Tiny run folders of CycleGAN (sneaker <-> ankle boot; its one step logged) and of the
    VAE."""
    out = tmp_path_factory.mktemp("runs")
    return {
        "cyclegan": tiny_run("cyclegan", tiny_data_dir, out / "cyclegan", "--log-every", "1"),
        "vae": tiny_run("vae", tiny_data_dir, out / "vae"),
    }


def show(window, qtbot, runs, model: str):
    """Open `model`'s run and pick it in the explorer."""
    window.open_run(runs[model])
    explorer = window.explorer
    window.tabs.setCurrentWidget(explorer)
    explorer.model_choice.setCurrentIndex(explorer.model_choice.findData(model))
    return explorer


def test_a_picked_test_image_is_translated_and_back_with_its_cycle_error(window, qtbot, runs):
    explorer = show(window, qtbot, runs, "cyclegan")
    mode, view = explorer.translation, explorer.translation_view
    assert explorer.pages.currentWidget() is view
    qtbot.waitUntil(lambda: mode.trip is not None, timeout=120000)  # the first strip, unasked
    assert "10 Sneaker and 10 Ankle boot test images" in explorer.status.text()
    assert explorer.used.text() == "CycleGAN, epoch 1"
    assert view.domain.currentText() == "A: Sneaker, by G to Ankle boot"
    assert not explorer.presets.isVisible()  # no latent path: no pairs to preset
    # A click on the gallery's fourth sneaker translates it and the next ones (to the 10th).
    rect = view.gallery.view.visualRect(view.gallery.model.index(3))
    qtbot.mouseClick(view.gallery.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.waitUntil(lambda: int(mode.trip.indices[0]) == 3, timeout=60000)
    trip = mode.trip
    assert list(trip.indices) == [3, 4, 5, 6, 7, 8, 9]
    # The same numbers as the learner's own round trip of those test images.
    learner, _ = load_learner(runs["cyclegan"], "cyclegan")
    sneakers = mode.loaded["cyclegan"].images[0]
    there, back = learner.cycle(torch.from_numpy(sneakers[3:10]), "a_to_b")
    np.testing.assert_allclose(trip.there, there[:, 0].numpy(), atol=1e-5)
    expected = (back[:, 0].numpy() - sneakers[3:10] / 255).__abs__().mean(axis=(1, 2))
    np.testing.assert_allclose(trip.errors, expected, atol=1e-5)
    assert view.words.text().startswith(f"Cycle error |F(G(x)) - x|: {trip.errors[0]:.3f}")
    assert view.pick.trip.indices.tolist() == [3]


def test_domain_b_goes_through_f_and_the_strip_exports(window, qtbot, runs, tmp_path):
    explorer = show(window, qtbot, runs, "cyclegan")
    mode, view = explorer.translation, explorer.translation_view
    qtbot.waitUntil(lambda: "cyclegan" in mode.loaded, timeout=120000)
    view.domain.setCurrentIndex(1)
    qtbot.waitUntil(
        lambda: mode.trip is not None and mode.trip.direction == "b_to_a", timeout=60000
    )
    assert view.words.text().startswith("Cycle error |G(F(x)) - x|")
    saved = mode.save(tmp_path / "strip.png")
    assert saved is not None and saved.stat().st_size > 1000
    assert explorer.messages.label.text() == f"Saved {saved}"


def test_a_pick_in_progress_is_cancelled(window, qtbot, runs):
    explorer = show(window, qtbot, runs, "cyclegan")
    mode, view = explorer.translation, explorer.translation_view
    qtbot.waitUntil(lambda: mode.trip is not None, timeout=120000)
    mode.translate(5)
    assert view.cancel.isEnabled()
    qtbot.mouseClick(view.cancel, Qt.MouseButton.LeftButton)
    assert not view.cancel.isEnabled()
    qtbot.wait(3000)  # a cancelled job shows nothing
    assert int(mode.trip.indices[0]) == 0


def test_a_latent_model_still_gets_its_path_views(window, qtbot, runs):
    show(window, qtbot, runs, "cyclegan")
    explorer = show(window, qtbot, runs, "vae")
    qtbot.waitUntil(lambda: explorer.interpolator is not None, timeout=60000)
    assert explorer.pages.currentIndex() == 0 and explorer.presets.isVisible()
    assert "encoded test images" in explorer.status.text()


def test_the_train_tab_shows_every_curve_and_grid_of_an_opened_run(window, runs):
    window.open_run(runs["cyclegan"])
    view = window.training.views["cyclegan"]
    assert window.training.config_panel.config().domains == "sneaker-ankle_boot"
    for plot, spec in zip(view.plots, get_model("cyclegan").plots, strict=True):
        for curve in spec.curves:
            assert plot.point_count(curve.key) >= 1, f"{curve.key} has no points"
    assert set(view.grids) == {"a_to_b", "b_to_a"}
    assert all(grid.shown_epoch == 1 for grid in view.grids.values())


def test_export_samples_does_not_offer_a_translator(window, runs):
    window.open_run(runs["cyclegan"])  # the only trained model: it draws no samples
    window.export_samples()
    assert "No trained model yet that draws samples" in window.training.messages.text
