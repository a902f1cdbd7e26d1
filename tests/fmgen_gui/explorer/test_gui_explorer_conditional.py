"""The explorer on conditional models as a user drives it: a class picker, one z in every
class, a test image as every class, samples of a class exported (pytest-qt, offscreen)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from fmgen_gui.explorer.state import NO_SEED, Candidates
from tests.explorer_helpers import explore, main_window, trained_runs  # noqa: F401  (a fixture)
from trainer.runs.loading import load_learner

pytestmark = pytest.mark.timeout(180)


@pytest.fixture(scope="module")
def runs(tiny_data_dir, tmp_path_factory):
    """Tiny run folders of a conditional toy and a cVAE-like toy."""
    yield from trained_runs(tiny_data_dir, tmp_path_factory.mktemp("runs"), ("ctoy", "cvtoy"))


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
