"""The latent explorer as a user drives it (pytest-qt, offscreen, tiny models)."""

from __future__ import annotations

import shutil

import numpy as np
import pytest
import torch
from PIL import Image
from PySide6.QtCore import Qt
from PySide6.QtGui import QFontMetrics

from fmgen_gui.explorer.state import NO_SEED, Candidates
from tests.gui_helpers import make_window
from tests.runs import tiny_run
from tests.toy_model import COND_ENCODER_TOY, COND_TOY, TOY
from trainer.data import CLASSES
from trainer.pins import PinStore
from trainer.registry import register_model, unregister_model
from trainer.run_loading import load_learner

pytestmark = pytest.mark.timeout(180)
TOYS = (TOY, COND_TOY, COND_ENCODER_TOY)


@pytest.fixture(scope="module")
def runs(tiny_data_dir, tmp_path_factory):
    """Tiny run folders of the VAE and of three toys (a latent, a conditional, a cVAE-like)."""
    for spec in TOYS:
        register_model(spec)
    out = tmp_path_factory.mktemp("runs")
    yield {
        model: tiny_run(model, tiny_data_dir, out / model)
        for model in ("vae", "toy", "ctoy", "cvtoy")
    }
    for spec in TOYS:
        unregister_model(spec.name)


@pytest.fixture
def window(qtbot, tmp_path, tiny_data_dir, runs, monkeypatch):
    monkeypatch.setenv("FMGEN_DATA_HOME", str(tmp_path / "user-data"))  # pins go here
    window = make_window(qtbot, tmp_path, tiny_data_dir)
    yield window
    window.close()


def explore(window, qtbot, runs, model: str):
    """Open `model`'s run and show it in the explorer, loaded."""
    window.open_run(runs[model])
    explorer = window.explorer
    window.tabs.setCurrentWidget(explorer)
    explorer.model_choice.setCurrentIndex(explorer.model_choice.findData(model))
    qtbot.waitUntil(
        lambda: explorer.source == model and explorer.interpolator is not None, timeout=60000
    )
    return explorer


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


def test_a_conditional_model_generates_a_class_and_morphs_one_z(window, qtbot, runs):
    explorer = explore(window, qtbot, runs, "ctoy")
    assert explorer.model_choice.currentText() == "CToy: latent vectors by class"
    assert explorer.class_bar.isVisible() and explorer.presets.within_button.isEnabled()
    explorer.class_bar.label.setCurrentIndex(3)
    explorer.class_bar.count.setValue(5)
    explorer.class_bar.generate.click()
    assert len(explorer.candidates) == 69 and explorer.gallery.model.rowCount() == 5 + 7
    assert list(explorer.candidates.labels[64:]) == [3] * 5
    explorer.picking.pick(64)
    assert explorer.view.class_row.isVisible() and len(explorer.view.class_row.images) == 10
    code = explorer.candidates.codes[64]
    expected = explorer.interpolator.images(code[None], np.eye(10, dtype=np.float32)[[8]])[0]
    assert np.allclose(explorer.view.class_row.images[8], expected, atol=1e-6)
    explorer.picking.morph_to_class(8)  # a click on "Bag" in the row
    assert np.array_equal(explorer.candidates.codes[explorer.b], code)
    assert explorer.candidates.labels[explorer.b] == 8 and explorer.state.path_classes() == (3, 8)
    strip = explorer.strip.images
    assert np.allclose(strip[0], explorer.interpolator.images(code[None], np.eye(10)[[3]])[0])
    assert np.allclose(strip[-1], expected, atol=1e-6)
    explorer.picking.morph_to_class(8)
    assert len(explorer.candidates) == 70  # the same z and class is not added twice


def test_a_conditional_encoder_shows_a_test_image_as_every_class(window, qtbot, runs):
    explorer = explore(window, qtbot, runs, "cvtoy")
    assert explorer.model_choice.currentText() == "CVToy: encoded test images"
    assert explorer.class_bar.isVisible() and explorer.map.point_count() == 100
    explorer.picking.pick(6)  # test image 6 is a shirt
    assert explorer.candidates.labels[6] == 6
    row = explorer.view.class_row.images
    learner, _ = load_learner(window.models.checkpoint_path("cvtoy"), "cvtoy")
    x = explorer.candidates.images[6][None, None] / 255
    code = learner.encode(torch.tensor(x, dtype=torch.float32), torch.tensor([6]))
    dress = learner.sample_images(code, torch.tensor([3]))[0, 0].numpy()
    assert np.allclose(row[3], dress, atol=1e-5)


def test_a_conditional_encoder_generates_a_class_after_its_test_images(window, qtbot, runs):
    """The cVAE's class picker: N prior draws of one class, shown (scrolled to) after the test
    images of that class in the filtered gallery."""
    explorer = explore(window, qtbot, runs, "cvtoy")
    explorer.resize(600, 400)
    explorer.class_bar.label.setCurrentIndex(explorer.class_bar.label.findData(4))
    explorer.class_bar.count.setValue(3)
    explorer.class_bar.generate.click()
    candidates = explorer.candidates
    assert len(candidates) == 103 and list(candidates.labels[100:]) == [4] * 3
    assert candidates.captions[100].startswith("Coat, seed ")
    coats = int((candidates.labels[:100] == 4).sum())
    assert explorer.gallery.model.rowCount() == coats + 3
    expected = explorer.interpolator.images(candidates.codes[100:], np.eye(10)[[4, 4, 4]])
    assert np.abs(candidates.images[100:] / 255 - expected).max() <= 0.5 / 255 + 1e-6
    qtbot.waitUntil(lambda: explorer.gallery.view.verticalScrollBar().maximum() > 0)
    bar = explorer.gallery.view.verticalScrollBar()
    assert bar.value() == bar.maximum()  # the new draws are in view
    explorer.picking.pick(5)
    explorer.picking.morph_to_class(8)  # test image 5's code as a bag: no seed
    explorer.class_bar.count.setValue(1)
    explorer.class_bar.generate.click()  # one more coat, after the bag
    assert len(explorer.candidates) == 105 and explorer.candidates.seeds[103] == NO_SEED
    explorer.picking.pick(104)  # A := the fourth coat
    explorer.picking.pick(103)  # B := the bag
    fresh = Candidates.from_atlas(candidates.atlas)  # what a newer checkpoint's job delivers
    seeds_before = explorer.candidates.seeds
    explorer.state.set_candidates("cvtoy", explorer.picking.with_seeded_extras("cvtoy", fresh))
    again = explorer.candidates
    assert len(again) == 104 and list(again.labels[100:]) == [4] * 4
    assert list(again.seeds[100:]) == [*candidates.seeds[100:103], seeds_before[104]]
    assert (explorer.a, explorer.b) == (103, None)  # the coat moved up; the bag is gone


def test_the_evaluate_tab_fits_a_1280_pixel_screen_with_long_run_names(
    window, qtbot, runs, tmp_path
):
    """Its status line names every loaded run: as one line, five runs made the window 1521 px
    wide (a trial on a 1280-pixel screen)."""
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


def test_export_samples_of_a_class_from_the_app(window, qtbot, runs, tmp_path, monkeypatch):
    window.export_samples()
    assert "No trained model yet" in window.training.messages.text
    explorer = explore(window, qtbot, runs, "ctoy")

    def fill_in(dialog):
        assert dialog.model.currentData() == "ctoy" and dialog.label.isEnabled()
        dialog.count.setValue(6)
        dialog.label.setCurrentIndex(dialog.label.findData(8))
        return dialog.DialogCode.Accepted

    monkeypatch.setattr("fmgen_gui.main_window.SampleExportDialog.exec", fill_in)
    out = tmp_path / "bags.npz"
    monkeypatch.setattr("fmgen_gui.main_window.ask_samples_path", lambda *args: out)
    explorer.export_samples_button.click()
    qtbot.waitUntil(lambda: "Wrote 6 CToy samples" in explorer.messages.text, timeout=30000)
    with np.load(out) as saved:
        assert saved["images"].shape == (6, 28, 28) and saved["labels"].tolist() == [8] * 6
    monkeypatch.setattr("fmgen_gui.main_window.ask_samples_path", lambda *args: tmp_path)
    explorer.export_samples_button.click()  # a folder with files in it: refused
    assert "exists and is not an empty folder" in explorer.messages.text
