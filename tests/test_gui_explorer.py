"""The latent explorer as a user drives it (pytest-qt, offscreen, tiny models)."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import Qt

from tests.gui_helpers import make_window
from tests.runs import tiny_run
from trainer.data import CLASSES

pytestmark = pytest.mark.timeout(180)


@pytest.fixture
def explorer(qtbot, tmp_path, tiny_data_dir):
    window = make_window(qtbot, tmp_path, tiny_data_dir)
    window.open_run(tiny_run("vae", tiny_data_dir, tmp_path / "vae"))
    window.tabs.setCurrentWidget(window.explorer)
    qtbot.waitUntil(lambda: window.explorer.interpolator is not None, timeout=60000)
    yield window.explorer
    window.close()


def test_the_test_set_is_encoded_and_the_map_shows_ten_classes(explorer):
    assert explorer.codes.shape == (100, 4)
    assert len(explorer.map.scatters) == 10 and explorer.map.point_count() == 100
    assert explorer.gallery.model.rowCount() == 100
    assert "10,000" not in explorer.status.text() and "100 test images" in explorer.status.text()
    assert explorer.used.text() == "VAE, epoch 1"
    explorer.gallery.show_class(3)
    assert explorer.gallery.model.rowCount() == 10


def test_two_gallery_clicks_pick_a_then_b(explorer, qtbot):
    view = explorer.gallery.view
    for row in (2, 5):
        rect = view.visualRect(explorer.gallery.model.index(row))
        qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert (explorer.a, explorer.b) == (2, 5)
    assert explorer.view.captions["A"].text() == f"A: {CLASSES[2]} #2"
    assert explorer.strip is not None and len(explorer.strip.images) == 9
    explorer.swap()
    assert (explorer.a, explorer.b) == (5, 2)


@pytest.mark.parametrize("method", ["linear", "slerp"])
def test_slider_ends_show_the_decoded_end_points_exactly(explorer, qtbot, method):
    explorer.pick(10)
    explorer.pick(47)
    explorer.view.method.setCurrentIndex(explorer.view.method.findData(method))
    for t, index in ((0.0, 10), (1.0, 47)):
        explorer.view.set_t(t)
        qtbot.waitUntil(lambda t=t: explorer.view.t_label.text() == f"t = {t:.2f}")
        expected = explorer.interpolator.images(explorer.codes[index][None])[0]
        assert np.array_equal(explorer.shown_image, expected)


def test_presets_pick_the_named_classes(explorer):
    explorer.presets.within.setCurrentIndex(6)
    explorer.presets.within_button.click()
    assert explorer.labels[explorer.a] == explorer.labels[explorer.b] == 6
    assert explorer.a != explorer.b
    explorer.presets.first.setCurrentIndex(7)
    explorer.presets.second.setCurrentIndex(8)
    explorer.presets.between_button.click()
    assert (explorer.labels[explorer.a], explorer.labels[explorer.b]) == (7, 8)


def test_overshoot_widens_the_path(explorer):
    explorer.pick_random_pair(1, 2)
    explorer.view.overshoot.setChecked(True)
    assert explorer.strip.ts[0] == -0.5 and explorer.strip.ts[-1] == 1.5
    explorer.view.steps.setValue(5)
    assert len(explorer.strip.images) == 5


def test_classifier_probabilities_and_distances_along_the_path(explorer, qtbot):
    explorer.pick_random_pair(0, 9)
    qtbot.waitUntil(lambda: explorer.classifier.model is not None, timeout=120000)
    qtbot.waitUntil(lambda: explorer.strip.probabilities is not None, timeout=10000)
    probabilities = explorer.strip.probabilities
    assert probabilities.shape == (9, 10) and np.allclose(probabilities.sum(axis=1), 1, atol=1e-5)
    assert explorer.strip.distances.shape == (9,) and np.all(explorer.strip.distances >= 0)
    curve_x, _ = explorer.path_plot.curves[0].getData()
    assert len(curve_x) == 9


def test_exports_write_files_with_titles_and_the_gif_has_n_frames(explorer, tmp_path):
    explorer.pick_random_pair(6, 7)
    explorer.view.steps.setValue(7)
    for suffix in (".png", ".svg", ".pdf"):
        assert explorer.save_strip(tmp_path / f"strip{suffix}").stat().st_size > 500
        assert explorer.save_map(tmp_path / f"map{suffix}").stat().st_size > 500
    svg = (tmp_path / "strip.svg").read_text()
    assert "Shirt #" in svg and "Sneaker #" in svg and "t = 0.50" in svg
    assert "Latent path: Shirt" in (tmp_path / "map.svg").read_text()
    explorer.save_path_plot(tmp_path / "classes.png")
    with Image.open(explorer.save_gif(tmp_path / "scrub.gif")) as gif:
        assert gif.n_frames == 7


def test_gan_mode_picks_from_the_sample_grid_and_random_pairs(qtbot, tmp_path, tiny_data_dir):
    window = make_window(qtbot, tmp_path, tiny_data_dir)
    window.open_run(tiny_run("gan", tiny_data_dir, tmp_path / "gan"))
    explorer = window.explorer
    window.tabs.setCurrentWidget(explorer)
    explorer.model_choice.setCurrentIndex(1)
    qtbot.waitUntil(lambda: explorer.interpolator is not None, timeout=60000)
    assert explorer.codes.shape == (64, 4) and explorer.labels is None
    assert not explorer.map.isVisible() and not explorer.presets.within_button.isEnabled()
    explorer.pick(0)
    explorer.pick(63)
    explorer.view.set_t(1.0)
    qtbot.waitUntil(lambda: explorer.view.t_label.text() == "t = 1.00")
    assert np.array_equal(
        explorer.shown_image, explorer.interpolator.images(explorer.codes[63][None])[0]
    )
    explorer.presets.between_button.click()  # "Random pair": two fresh codes
    assert explorer.codes.shape == (66, 4) and (explorer.a, explorer.b) == (64, 65)
    window.close()


def test_without_a_model_the_explorer_says_what_to_do(qtbot, tmp_path, tiny_data_dir):
    window = make_window(qtbot, tmp_path, tiny_data_dir)
    window.tabs.setCurrentWidget(window.explorer)
    assert window.explorer.status.text() == "Train or open a VAE to explore it."
    window.close()
