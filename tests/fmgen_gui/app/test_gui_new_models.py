"""The flow and the DDPM in the app: the Train tab shows their runs, the explorer takes the
flow (exact encoder) and the DDPM (DDIM inversion of A and B, decoded in the background)
(pytest-qt, offscreen, tiny runs)."""

from __future__ import annotations

import numpy as np
import pytest

from tests.gui_helpers import make_window
from tests.runs import SMALL_NETWORKS, tiny_run
from trainer.registry import get_model

pytestmark = pytest.mark.timeout(600)  # the module fixture trains two runs


@pytest.fixture(scope="module")
def runs(tiny_data_dir, tmp_path_factory):
    """Tiny run folders of the flow and the DDPM, with small networks."""
    out = tmp_path_factory.mktemp("runs")
    with pytest.MonkeyPatch.context() as patch:
        for target, value in SMALL_NETWORKS.items():
            patch.setattr(target, value)
        yield {
            model: tiny_run(model, tiny_data_dir, out / model, "--log-every", "2")
            for model in ("flow", "ddpm")
        }


@pytest.fixture
def window(qtbot, tmp_path, tiny_data_dir, runs, monkeypatch):
    monkeypatch.setenv("FMGEN_DATA_HOME", str(tmp_path / "user-data"))
    window = make_window(qtbot, tmp_path, tiny_data_dir)
    yield window
    window.close()


@pytest.mark.parametrize("model", ["flow", "ddpm"])
def test_an_opened_run_shows_every_curve_and_grid_of_its_registry_entry(window, runs, model):
    window.open_run(runs[model])
    view = window.training.views[model]
    assert window.training.config_panel.config().model == model
    assert window.training.config_panel.config().latent_dim == 784  # not the panel's 4
    for plot, spec in zip(view.plots, get_model(model).plots, strict=True):
        for curve in spec.curves:
            assert plot.point_count(curve.key) >= 1, f"{model}: {curve.key} has no points"
    assert all(grid.shown_epoch == 1 for grid in view.grids.values())
    assert view.summary.text().startswith("Epoch 1")


def test_the_explorer_interpolates_through_the_flow_and_the_ddpm(window, qtbot, runs):
    for model in ("ddpm", "flow"):
        window.open_run(runs[model])
    explorer = window.explorer
    window.tabs.setCurrentWidget(explorer)
    offered = [explorer.model_choice.itemData(i) for i in range(explorer.model_choice.count())]
    assert (
        sorted(offered) == ["ddpm", "flow"] and "not offered" not in explorer.model_choice.toolTip()
    )
    explorer.model_choice.setCurrentIndex(explorer.model_choice.findData("flow"))
    qtbot.waitUntil(lambda: explorer.interpolator is not None, timeout=120000)
    assert explorer.candidates.codes.shape == (100, 784)
    explorer.picking.pick(10)
    explorer.picking.pick(47)
    test_images = explorer.candidates.images
    for t, index in ((0.0, 10), (1.0, 47)):
        explorer.view.set_t(t)
        qtbot.waitUntil(lambda t=t: explorer.view.t_label.text() == f"t = {t:.2f}")
        # the flow is a bijection: the path's ends decode to the test images themselves
        difference = np.abs(explorer.shown_image - test_images[index] / 255)
        assert difference.max() < 1e-3
    explorer.model_choice.setCurrentIndex(explorer.model_choice.findData("ddpm"))
    qtbot.waitUntil(lambda: explorer.interpolator is not None, timeout=120000)
    assert explorer.candidates.codes.shape == (100, 0)  # inverted only when picked
    assert explorer.view.method_name() == "slerp"  # between noises (registry)
    explorer.picking.pick(10)
    explorer.picking.pick(47)
    qtbot.waitUntil(lambda: explorer.strip is not None, timeout=120000)
    assert len(explorer.strip.images) == 9 and "A 0.0" in explorer.slow.note.text()
