"""'Watch a sample being made' (pytest-qt, offscreen): the DDPM's and the flow's chains computed in
the background, scrubbed and exported; models without a chain get no button."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from fmgen_gui.explorer import chain_view
from fmgen_gui.explorer.chain_view import ChainDialog, WatchButton
from fmgen_gui.explorer.dial_state import DialSettings
from fmgen_gui.model_store import ModelStore
from tests.runs import tiny_run
from tests.toy_model import toy_model  # noqa: F401  (a fixture)

pytestmark = pytest.mark.timeout(300)


@pytest.fixture
def ddpm_store(small_networks, tiny_data_dir, tmp_path):
    """A model store holding a tiny DDPM run's checkpoint."""
    run = tiny_run("ddpm", tiny_data_dir, tmp_path / "runs")
    store = ModelStore()
    store.set_checkpoint("ddpm", run / "checkpoint.pt")
    return store


def test_the_view_computes_a_chain_scrubs_it_and_exports_strip_and_gif(
    qtbot, ddpm_store, tmp_path, monkeypatch
):
    dialog = ChainDialog(ddpm_store)
    qtbot.addWidget(dialog)
    assert dialog.run_button.isEnabled() and not dialog.slider.isEnabled()
    with qtbot.waitSignal(dialog.runner.finished, timeout=60000):
        dialog.run_button.click()
    frames = dialog.frames
    assert len(frames) == 3 and dialog.slider.maximum() == 2  # DDIM in GRID_STEPS = 3 steps
    dialog.slider.setValue(0)
    shown = dialog.noisy.image
    pixels = np.frombuffer(shown.constBits(), np.uint8).reshape(28, shown.bytesPerLine())
    np.testing.assert_array_equal(pixels[:, :28], frames.noisy[0])
    assert dialog.step_label.text() == f"t = {frames.timesteps[0]} (step 1 of 3)"
    monkeypatch.setattr(chain_view, "ask_figure_path", lambda *a: tmp_path / "strip.png")
    monkeypatch.setattr(chain_view, "ask_save_path", lambda *a: tmp_path / "chain.gif")
    dialog.strip_button.click()
    dialog.gif_button.click()
    assert Image.open(tmp_path / "strip.png").format == "PNG"
    with Image.open(tmp_path / "chain.gif") as gif:
        assert gif.n_frames == len(frames)
    dialog.close()  # never shown: QDialog emits no `finished`, yet the thread must end
    assert not dialog.runner.is_running()


def _store_with(tmp_path, *models: str) -> ModelStore:
    store = ModelStore()
    for model in models:
        path = tmp_path / model / "checkpoint.pt"
        path.parent.mkdir()
        path.write_bytes(b"")  # present on disk; the button never loads it
        store.set_checkpoint(model, path)
    return store


@pytest.mark.usefixtures("toy_model")
def test_a_model_without_a_chain_gets_no_button(qtbot, tmp_path):
    store = _store_with(tmp_path, "toy")
    button = WatchButton(store)
    qtbot.addWidget(button)
    assert button.isHidden()
    store.set_checkpoint("flow", _store_with(tmp_path, "flow").checkpoint_path("flow"))
    assert not button.isHidden()
    dialog = button.open_view()
    assert [dialog.model_choice.itemData(i) for i in range(dialog.model_choice.count())] == ["flow"]
    assert dialog.run_button.isEnabled()
    dialog.close()


def test_the_flow_is_watched_a_scale_at_a_time_after_the_ddpm(
    qtbot, ddpm_store, tiny_data_dir, tmp_path
):
    """Switching models drops the DDPM's chain (a late one too), offers the new model's
    samplers (not the DDPM's, which the flow has not) and names its panes and steps in its own
    words."""
    run = tiny_run("flow", tiny_data_dir, tmp_path / "flow-runs")
    ddpm_store.set_checkpoint("flow", run / "checkpoint.pt")
    dialog = ChainDialog(ddpm_store)
    qtbot.addWidget(dialog)
    dialog.model_choice.setCurrentIndex(dialog.model_choice.findData("ddpm"))
    with qtbot.waitSignal(dialog.runner.finished, timeout=60000):
        dialog.run_button.click()
    assert dialog.sampler_choice.currentData() == "DDIM, 3 steps"
    assert dialog.state_title.text() == "x_t (the chain's state)"
    ddpm_frames = dialog.frames
    dialog.model_choice.setCurrentIndex(dialog.model_choice.findData("flow"))
    assert dialog.sampler_choice.count() == 1 and dialog.sampler_choice.currentData() is None
    assert dialog.frames is None and dialog.noisy.image is None
    assert not dialog.strip_button.isEnabled() and not dialog.slider.isEnabled()
    assert dialog.state_title.text().startswith("before this scale")
    dialog.show_frames(ddpm_frames)  # the DDPM's chain finishing after the switch
    assert dialog.frames is None and dialog.sampler_choice.count() == 1
    with qtbot.waitSignal(dialog.runner.finished, timeout=60000):
        dialog.run_button.click()
    frames = dialog.frames
    assert frames.sampler == "coarse to fine, temperature 1" and len(frames) == 3
    assert dialog.state_title.text().startswith("before this scale")
    assert dialog.result_title.text() == "after its latents are added"
    assert dialog.step_label.text() == "784 of 784 latents drawn (step 3 of 3)"
    dialog.close()


def test_a_guided_chain_is_asked_for_a_class_and_its_guidance_weight(qtbot, tmp_path, monkeypatch):
    """The class picker comes from the entry (conditional), w from the explorer's slider: the
    DDPM shows no picker; the guided DDPM's run asks for the chosen class and w."""
    store = _store_with(tmp_path, "ddpm", "guided")
    asked = []
    monkeypatch.setattr(chain_view, "watch_job", lambda *args: asked.append(args) or (lambda *a: 0))
    dials = DialSettings()
    dialog = ChainDialog(store, dials)
    qtbot.addWidget(dialog)
    dialog.model_choice.setCurrentIndex(dialog.model_choice.findData("ddpm"))
    assert dialog.options.isHidden() and dialog.options.label() is None
    dialog.model_choice.setCurrentIndex(dialog.model_choice.findData("guided"))
    assert not dialog.options.isHidden()
    dialog.options.class_choice.setCurrentIndex(dialog.options.class_choice.findData(8))
    dials.set("guided", "guidance", 0.5)  # as the explorer's slider does
    dialog.run_button.click()
    ((path, seed, sampler, chosen, label),) = asked
    assert (label, chosen, seed, sampler) == (8, {"guidance": 0.5}, 0, None)
    assert path == store.checkpoint_path("guided")
    dialog.options.class_choice.setCurrentIndex(0)  # no class: the unconditional chain
    dialog.run_button.click()
    assert asked[-1][4] is None
    dialog.close()
