"""The Train tab's views, fed events directly: what a person sees at an epoch's end; legends."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
import pytest

from fmgen_gui.explorer.path_plot import PathPlot
from fmgen_gui.report.figures import class_histogram_plot
from fmgen_gui.training.controller import TrainingController
from fmgen_gui.training.pane import TrainingPane
from fmgen_gui.training.run_view import RunView
from fmgen_gui.widgets.loss_plot import LossPlot
from trainer.common import keys as k
from trainer.common.events import (
    CheckpointSaved,
    EpochEnded,
    RunStarted,
    RunStopped,
    SamplesReady,
    StepLogged,
)
from trainer.config.settings import default_config
from trainer.data.fashion_mnist import CLASSES
from trainer.registry import get_model
from trainer.runs.history import RunHistory

TEST_METRICS = {k.NEG_ELBO: 300.0, k.BCE: 290.0, k.KL: 10.0, k.MSE: 0.05}


def epoch_end(epoch: int) -> EpochEnded:
    return EpochEnded(epoch, 10 * epoch, {k.NEG_ELBO: 310.0}, TEST_METRICS, 1.0)


def grid_of(epoch: int, name: str) -> SamplesReady:
    return SamplesReady(epoch, 10 * epoch, name, np.full((60, 60), epoch, np.uint8))


def shown_state(view: RunView) -> tuple:
    """(the summary's epoch, the test curve's points, each grid's epoch) as a person sees them."""
    summary = view.summary.text()
    epoch = int(summary.split(":")[0].split()[1]) if summary.startswith("Epoch") else None
    points = view.plots[1].point_count(f"test/{k.NEG_ELBO}")
    return epoch, points, [grid.shown_epoch for grid in view.grids.values()]


def new_run_view(qtbot) -> RunView:
    """A VAE view set up as the pane does at a run's start."""
    view = RunView("vae")
    qtbot.addWidget(view)
    view.reset()
    return view


def test_an_epoch_shows_its_summary_curves_and_grids_together(qtbot):
    view = new_run_view(qtbot)
    names = [grid.name for grid in get_model("vae").grids]
    assert len(names) >= 2
    view.add(epoch_end(1))
    view.refresh()  # the pane's timer may fire while the grids are still being made
    assert shown_state(view) == (None, 0, [None] * len(names))
    view.add(grid_of(1, names[0]))
    assert shown_state(view) == (None, 0, [None] * len(names))
    for name in names[1:]:
        view.add(grid_of(1, name))
    assert shown_state(view) == (1, 1, [1] * len(names))
    assert view.summary.text().startswith("Epoch 1: test -ELBO 300")


def test_an_epoch_end_without_all_grids_shows_at_the_next_event(qtbot):
    view = new_run_view(qtbot)
    first = get_model("vae").grids[0].name
    view.add(epoch_end(1))
    view.add(grid_of(1, first))
    view.add(CheckpointSaved(1, 10, "checkpoint.pt"))
    assert shown_state(view)[:2] == (1, 1)
    assert view.grids[first].shown_epoch == 1


def test_a_refresh_redraws_only_the_plots_new_events_grew(qtbot):
    """Redraws cost the GUI thread, which slows training: step events coalesce into the next
    refresh, which leaves the per-epoch plot alone, and a refresh without news redraws nothing
    (docs/performance.md, Speed)."""
    view = new_run_view(qtbot)
    step_plot, epoch_plot = view.plots
    assert (step_plot.per_epoch, epoch_plot.per_epoch) == (False, True)
    redrawn: list[str] = []
    for plot in view.plots:
        real = plot.redraw
        plot.redraw = lambda real=real, plot=plot: (redrawn.append(plot.spec.x_label), real())
    losses = {curve.key.split("/", 1)[1]: 1.0 for curve in step_plot.spec.curves}
    for step in range(10, 60, 10):
        view.add(StepLogged(1, step, losses, 100.0))
    assert redrawn == []  # events only mark the plots stale: they coalesce into one refresh
    view.refresh()
    view.refresh()
    assert redrawn == ["step"]
    view.add(epoch_end(1))
    for grid in get_model("vae").grids:
        view.add(grid_of(1, grid.name))
    assert redrawn == ["step", "epoch"]
    assert step_plot.point_count(step_plot.spec.curves[0].key) == 5


def legend_and_data_area(item) -> tuple:
    return item.legend.sceneBoundingRect(), item.vb.sceneBoundingRect()


@pytest.mark.parametrize("model", ["vae", "gan", "flow", "ddpm"])
def test_curve_legends_sit_outside_the_data_area(qtbot, model):
    for spec in get_model(model).plots:
        plot = LossPlot(spec)
        qtbot.addWidget(plot)
        plot.resize(470, 300)
        plot.show()
        qtbot.waitExposed(plot)
        legend, data = legend_and_data_area(plot.plot.getPlotItem())
        assert legend.height() > 0 and data.height() > 100
        assert not legend.intersects(data), f"{spec.title}: the legend covers the curves"
        assert len(plot.legend.items) == len(spec.curves)
        view = plot.plot
        visible = view.mapToScene(view.viewport().rect()).boundingRect()
        assert visible.contains(legend), f"{spec.title}: the legend runs off the plot"


def test_bar_legend_sits_outside_the_data_area(qtbot):
    plot = class_histogram_plot({"VAE": [0.1] * 10, "GAN": [0.1] * 10})
    qtbot.addWidget(plot)
    plot.resize(560, 300)
    plot.show()
    qtbot.waitExposed(plot)
    item = plot.getPlotItem()
    legend, data = legend_and_data_area(item)
    assert [label.text for _, label in item.legend.items] == ["VAE", "GAN"]
    assert legend.height() > 0 and not legend.intersects(data)


def test_a_lone_logged_step_shows_as_a_dot_and_ticks_are_whole_numbers(qtbot):
    spec = get_model("vae").plots[0]
    plot = LossPlot(spec)
    qtbot.addWidget(plot)
    history = RunHistory("vae")
    history.add(StepLogged(1, 10, {k.LOSS: 500.0, k.RECON: 490.0, k.KL: 10.0}, 100.0))
    plot.show_history(history)
    curve = plot.curves[spec.curves[0].key]
    assert curve.opts["symbol"] == "o"  # a single point draws no line
    history.add(StepLogged(1, 20, {k.LOSS: 400.0, k.RECON: 390.0, k.KL: 10.0}, 100.0))
    plot.redraw()
    assert curve.opts["symbol"] is None  # a line from here on: thousands of dots would crowd
    axis = plot.plot.getPlotItem().getAxis("bottom")
    ticks = [value for _, values in axis.tickValues(9.5, 10.5, 400) for value in values]
    assert ticks and all(float(value).is_integer() for value in ticks)


def test_the_window_fits_a_1280_pixel_screen_whatever_models_are_registered(qtbot, tmp_path):
    """Every model's Train view is a page of one stack, so the widest sets the window's minimum;
    long grid titles (the class grids) once made it 1388 px."""
    from tests.gui_helpers import make_window

    window = make_window(qtbot, tmp_path, tmp_path)
    assert window.minimumSizeHint().width() <= 1280
    window.close()


def test_a_stopped_run_says_in_epochs_and_steps_where_it_stopped(qtbot, tmp_path):
    pane = TrainingPane(TrainingController(), [("cpu", "cpu")], tmp_path)
    qtbot.addWidget(pane)
    said: list[str] = []
    pane.status.connect(said.append)
    config = default_config("vae", epochs=2).to_dict()
    pane.on_event(RunStarted("run", config, "cpu", "fp32", "", "idx", 60000, 10000, 0, 0, 469, 938))
    pane.on_event(StepLogged(1, 80, {}, 100.0))
    pane.refresh()
    pane.on_event(RunStopped("/runs/vae-1", 0, 87, "/runs/vae-1/checkpoint.pt"))
    assert said[-1].startswith("Stopped after 0.19 epochs (step 87 of 938)")
    assert "/runs/vae-1" in said[-1]
    assert pane.progress.epoch_bar.value() == 87  # not the last logged step, 80


def test_a_side_legend_stays_in_sight_beside_a_long_title_in_a_narrow_column(qtbot):
    plot = PathPlot(CLASSES)  # the explorer's middle column is ~440 px wide by default
    qtbot.addWidget(plot)
    plot.resize(440, 600)
    plot.show()
    qtbot.waitExposed(plot)
    (legend,) = [i for i in plot.view.scene().items() if isinstance(i, pg.LegendItem)]
    assert legend.sceneBoundingRect().right() <= plot.view.width()
