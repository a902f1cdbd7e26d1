"""The latent explorer as a user drives it (pytest-qt, offscreen, tiny models)."""

from __future__ import annotations

import shutil

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import Qt
from PySide6.QtGui import QFontMetrics

from tests.explorer_helpers import explore, main_window, trained_runs  # noqa: F401  (a fixture)
from trainer.data.fashion_mnist import CLASSES
from trainer.runs.pins import PinStore

pytestmark = pytest.mark.timeout(180)


@pytest.fixture(scope="module")
def runs(tiny_data_dir, tmp_path_factory):
    """Tiny run folders of the VAE and of three toys (a latent, a conditional, a cVAE-like)."""
    models = ("vae", "toy", "ctoy", "cvtoy")
    yield from trained_runs(tiny_data_dir, tmp_path_factory.mktemp("runs"), models)


@pytest.fixture
def explorer(window, qtbot, runs):
    return explore(window, qtbot, runs, "vae")


def test_the_test_set_is_encoded_and_the_map_shows_ten_classes(explorer):
    assert explorer.candidates.codes.shape == (100, 4)
    assert len(explorer.map.scatters) == 10 and explorer.map.point_count() == 100
    assert explorer.gallery.model.rowCount() == 100
    assert (
        "10,000" not in explorer.status.text()
        and "100 encoded test images." in explorer.status.text()
    )
    assert explorer.used.text() == "VAE, epoch 1"
    explorer.gallery.show_class(3)
    assert explorer.gallery.model.rowCount() == 10


def test_two_gallery_clicks_pick_a_then_b_and_leave_no_stale_highlight(explorer, qtbot):
    view = explorer.gallery.view
    for row in (2, 5):
        rect = view.visualRect(explorer.gallery.model.index(row))
        qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert (explorer.a, explorer.b) == (2, 5)
    assert explorer.view.captions["A"].text() == f"A: {CLASSES[2]} #2"
    assert explorer.strip is not None and len(explorer.strip.images) == 9
    explorer.picking.swap()
    assert (explorer.a, explorer.b) == (5, 2)
    explorer.picking.pick_random_pair(0, 9)  # B moves away from the clicked image
    # Issue 10: the last clicked image kept Qt's selection highlight under the old B.
    assert view.selectionModel().selectedIndexes() == []
    marked = {i for i in range(100) if explorer.gallery.model.marks.get(i)}
    assert marked == {explorer.a, explorer.b}


@pytest.mark.parametrize("method", ["linear", "slerp"])
def test_slider_ends_show_the_decoded_end_points_exactly(explorer, qtbot, method):
    explorer.picking.pick(10)
    explorer.picking.pick(47)
    explorer.view.method.setCurrentIndex(explorer.view.method.findData(method))
    codes = explorer.candidates.codes
    for t, index in ((0.0, 10), (1.0, 47)):
        explorer.view.set_t(t)
        qtbot.waitUntil(lambda t=t: explorer.view.t_label.text() == f"t = {t:.2f}")
        expected = explorer.interpolator.images(codes[index][None])[0]
        assert np.array_equal(explorer.shown_image, expected)


def test_presets_pick_the_named_classes_and_overshoot_widens_the_path(explorer):
    labels = explorer.candidates.labels
    explorer.presets.within.setCurrentIndex(6)
    explorer.presets.within_button.click()
    assert labels[explorer.a] == labels[explorer.b] == 6 and explorer.a != explorer.b
    explorer.presets.first.setCurrentIndex(7)
    explorer.presets.second.setCurrentIndex(8)
    explorer.presets.between_button.click()
    assert (labels[explorer.a], labels[explorer.b]) == (7, 8)
    explorer.view.overshoot.setChecked(True)
    assert explorer.strip.ts[0] == -0.5 and explorer.strip.ts[-1] == 1.5
    explorer.view.steps.setValue(5)
    assert len(explorer.strip.images) == 5


def test_before_a_pick_the_map_and_plot_show_no_path(explorer):
    """Issue 10: "A B" sat at the origin of the empty map and t ran -0.4..0.4."""
    assert not any(label.isVisible() for label in explorer.map.end_labels)
    assert explorer.map.ends.data.size == 0
    low, high = explorer.path_plot.probability.viewRange()[0]
    assert -0.05 < low <= 0 and 1 <= high < 1.05
    assert not any(marker.isVisible() for marker in explorer.path_plot.markers)
    explorer.picking.pick_random_pair(1, 2)
    assert all(label.isVisible() for label in explorer.map.end_labels)
    assert explorer.path_plot.markers[0].isVisible()


def test_the_path_is_drawn_above_the_points(explorer):
    """Issue 10: the A-B line was drawn under the scatter."""
    explorer.picking.pick_random_pair(1, 2)
    top_point = max(scatter.zValue() for scatter in explorer.map.scatters)
    assert explorer.map.path.zValue() > top_point
    assert explorer.map.ends.zValue() > top_point


def test_classifier_probabilities_and_distances_along_the_path(explorer, qtbot):
    explorer.picking.pick_random_pair(0, 9)
    qtbot.waitUntil(lambda: explorer.classifier.model is not None, timeout=120000)
    qtbot.waitUntil(lambda: explorer.strip.probabilities is not None, timeout=10000)
    probabilities = explorer.strip.probabilities
    assert probabilities.shape == (9, 10) and np.allclose(probabilities.sum(axis=1), 1, atol=1e-5)
    assert explorer.strip.distances.shape == (9,) and np.all(explorer.strip.distances >= 0)
    curve_x, _ = explorer.path_plot.curves[0].getData()
    assert len(curve_x) == 9


def test_exports_and_a_smooth_captioned_ping_pong_gif(explorer, tmp_path):
    explorer.picking.pick_random_pair(6, 7)
    explorer.view.steps.setValue(7)
    exports = explorer.exports
    for suffix in (".png", ".svg"):
        assert exports.save_strip(tmp_path / f"strip{suffix}").stat().st_size > 500
        assert exports.save_map(tmp_path / f"map{suffix}").stat().st_size > 500
    svg = (tmp_path / "strip.svg").read_text()
    assert "VAE: Shirt #" in svg and "Sneaker #" in svg and "t = 0.50" in svg
    assert "Latent path: Shirt" in (tmp_path / "map.svg").read_text()
    # Issue 10: the GIF had 9 frames of 112 px at 80 ms, without t.
    with Image.open(exports.save_gif(tmp_path / "scrub.gif")) as gif:
        count, width = gif.n_frames, gif.size[0]
        frames = []
        for k in range(count):
            gif.seek(k)
            frames.append(np.asarray(gif.convert("L"), np.int16))
            assert gif.info["duration"] <= 50
    assert count >= 30 and width >= 3 * 28
    assert np.array_equal(frames[1], frames[-1]) and np.array_equal(frames[5], frames[-5])
    assert not np.array_equal(frames[0], frames[count // 2])  # it turns at B
    band = slice(width, None)  # the caption under the image
    assert frames[0][band].min() < 100  # dark text on white
    assert not np.array_equal(frames[0][band], frames[1][band])  # each frame its own t


def test_each_source_keeps_its_picks_and_shows_nothing_stale(window, qtbot, runs):
    """Issue 10: switching to the GAN left the VAE's path, image, strip and plots on screen."""
    explore(window, qtbot, runs, "toy")
    explorer = explore(window, qtbot, runs, "vae")
    sources = [explorer.model_choice.itemText(i) for i in range(explorer.model_choice.count())]
    assert sorted(sources) == ["Toy: latent vectors", "VAE: encoded test images"]
    explorer.picking.pick_random_pair(6, 8)
    explorer.view.set_t(0.7)
    pair, strip = (explorer.a, explorer.b), explorer.strip.images
    explorer.model_choice.setCurrentIndex(explorer.model_choice.findData("toy"))
    assert explorer.view.captions["A"].text() == "A: pick an image"
    assert explorer.view.large.image is None and len(explorer.view.strip.images) == 0
    assert explorer.path_plot.curves[0].getData()[0] is None or not len(
        explorer.path_plot.curves[0].getData()[0]
    )
    assert explorer.map.isHidden() and explorer.gallery.model.rowCount() == 64
    assert not explorer.presets.within_button.isEnabled()
    explorer.picking.pick(0)
    explorer.picking.pick(63)
    explorer.presets.between_button.click()  # "Random pair": two fresh seeded draws
    assert len(explorer.candidates) == 66 and (explorer.a, explorer.b) == (64, 65)
    explorer.model_choice.setCurrentIndex(explorer.model_choice.findData("vae"))
    assert (explorer.a, explorer.b) == pair and np.array_equal(explorer.strip.images, strip)
    assert explorer.view.t_label.text() == "t = 0.70" and explorer.view.large.image is not None
    explorer.model_choice.setCurrentIndex(explorer.model_choice.findData("toy"))
    assert (explorer.a, explorer.b) == (64, 65) and len(explorer.candidates) == 66


def test_pins_from_the_explorer(window, qtbot, runs):
    explorer = explore(window, qtbot, runs, "vae")
    labels = explorer.candidates.labels
    explorer.picking.pick_random_pair(6, 6)
    explorer.view.method.setCurrentIndex(explorer.view.method.findData("slerp"))
    explorer.view.pin_role.setCurrentIndex(explorer.view.pin_role.findData("between"))
    explorer.view.pin.click()
    assert "needs two classes" in explorer.messages.text
    explorer.view.pin_role.setCurrentIndex(explorer.view.pin_role.findData("within"))
    explorer.view.pin.click()
    assert "as the within-class example" in explorer.messages.text
    (pin,) = PinStore().pins(runs["vae"].name)
    assert (pin.source, pin.a, pin.b, pin.method) == ("test", explorer.a, explorer.b, "slerp")
    assert window.pins.pins(runs["vae"].name) == [pin]  # the Evaluate tab's store, at once
    assert labels[pin.a] == labels[pin.b] == 6
    window.tabs.setCurrentWidget(window.report)  # its pins list names the images' class
    listed = window.report.pins_list.list.item(0).text()
    assert f"test images Shirt #{pin.a} to Shirt #{pin.b} (slerp" in listed, listed
    explorer = explore(window, qtbot, runs, "toy")
    explorer.picking.pick(0)
    explorer.picking.pick(1)  # two fixed-noise samples: no seeds, so Pin is off and says why
    assert not explorer.view.pin.isEnabled()
    assert "Only seeded latent draws" in explorer.view.pin.toolTip()
    explorer.picking.pin("extra")
    assert "Only seeded latent draws" in explorer.messages.text
    explorer.picking.pick_random_pair(0, 0)
    assert explorer.view.pin.isEnabled()
    explorer.picking.pin("extra")
    (pin,) = PinStore().pins(runs["toy"].name)
    seeds = explorer.candidates.seeds
    assert (pin.source, pin.a, pin.b) == ("latent", seeds[explorer.a], seeds[explorer.b])


def test_the_evaluate_tab_fits_a_1280_pixel_screen_with_long_run_names(
    window, qtbot, runs, tmp_path
):
    """Its status line names every loaded run: as one line, five runs' names made the window
    1521 px wide in a trial on a 1280-pixel screen; four such names here are over 1280."""
    for model, run in runs.items():
        name = f"{model}-20261207-051720-lr-0.0002-beta-4-latent-64"
        window.open_run(shutil.copytree(run, tmp_path / name))
    window.tabs.setCurrentWidget(window.report)
    status = window.report.status
    assert "4 runs loaded" in status.text()
    assert QFontMetrics(status.font()).horizontalAdvance(status.text()) > 1280  # as one line
    assert window.minimumSizeHint().width() <= 1280


def test_without_a_model_the_explorer_says_what_to_do(window):
    window.tabs.setCurrentWidget(window.explorer)
    assert window.explorer.status.text() == "Train or open a model to explore it."
    assert window.explorer.model_choice.count() == 0
