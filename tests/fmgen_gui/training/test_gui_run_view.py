"""The Train tab's RunView shows every registered model's plots and grids from its entry."""

from __future__ import annotations

import pytest

from fmgen_gui.training.run_view import RunView
from tests.runs import small_latent
from trainer.common.events import RunFinished, StepLogged
from trainer.common.keys import metric_label
from trainer.config.settings import default_config
from trainer.registry import get_model, model_names
from trainer.training.loop import train

pytestmark = pytest.mark.timeout(120)


@pytest.mark.parametrize("model", model_names())
def test_a_one_epoch_run_fills_every_plot_and_grid_of_the_entry(
    model, qtbot, tiny_data, tmp_path, small_networks
):
    spec = get_model(model)
    view = RunView(model)
    qtbot.addWidget(view)
    settings = {"epochs": 1, "batch_size": 32, "log_every": 2, "device": "cpu"}
    config = default_config(model, **settings, **small_latent(model))
    events = list(train(config, tiny_data, tmp_path / "run"))
    assert isinstance(events[-1], RunFinished)
    view.reset()  # as the Train tab does when a run starts
    for event in events:
        view.add(event)
    view.refresh()
    logged = sum(isinstance(e, StepLogged) for e in events)
    assert [plot.spec for plot in view.plots] == list(spec.plots)
    for plot in view.plots:
        for curve in plot.spec.curves:
            expected = logged if curve.key.startswith("step/") else 1  # one epoch
            assert plot.point_count(curve.key) == expected, curve.key
    assert list(view.grids) == [grid.name for grid in spec.grids]
    assert all(grid.shown_epoch == 1 for grid in view.grids.values())
    assert metric_label(spec.summary_metrics[0]) in view.summary.text()
