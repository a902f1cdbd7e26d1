"""RunView: one model's live plots, sample grids and latest metrics."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Signal
from PySide6.QtWidgets import QGridLayout, QLabel, QWidget

from fmgen_gui.widgets.loss_plot import LossPlot
from fmgen_gui.widgets.sample_grid import SampleGrid
from trainer.common.events import EpochEnded, Event, SamplesReady, StepLogged
from trainer.registry import get_model
from trainer.runs.history import RunHistory

COLUMNS = 2  # plots per row


def summarize(model: str, event: EpochEnded | None) -> str:
    """One line with the latest epoch's test metrics."""
    if event is None:
        return "No epoch finished yet."
    return f"Epoch {event.epoch}: test {get_model(model).summary(event.test)}"


class RunView(QWidget):
    """Plots on top, grids below; `add` feeds it events, `refresh` redraws the step curves.

    Step events only mark the plots stale: the owner calls `refresh` on a timer, so a fast
    run repaints a few times a second, not at every logged step. An epoch's end is held back
    until its grids have arrived (they are made after its metrics), then its curves, grids
    and summary line change together.
    """

    save_requested = Signal(object)  # the LossPlot or SampleGrid to save

    def __init__(self, model: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.history = RunHistory(model)
        self.stale = False
        self.pending: EpochEnded | None = None  # an ended epoch whose grids are on their way
        self.pending_grids: dict[str, np.ndarray] = {}
        spec = get_model(model)
        self.plots = [LossPlot(plot) for plot in spec.plots]
        self.grids = {grid.name: SampleGrid(grid.title) for grid in spec.grids}
        self.summary = QLabel(summarize(model, None))
        self._lay_out()
        for view in (*self.plots, *self.grids.values()):
            view.save_requested.connect(lambda v=view: self.save_requested.emit(v))

    def _lay_out(self) -> None:
        """Plots two to a row (each needs its controls' width: three overran the window), then
        the grids side by side under them (a lone one takes the whole row), then the summary."""
        layout = QGridLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for index, plot in enumerate(self.plots):
            layout.addWidget(plot, index // COLUMNS, index % COLUMNS)
            layout.setRowStretch(index // COLUMNS, 3)
        grid_row = (len(self.plots) + COLUMNS - 1) // COLUMNS
        span = COLUMNS // len(self.grids)
        for column, grid in enumerate(self.grids.values()):
            layout.addWidget(grid, grid_row, column * span, 1, span)
        layout.setRowStretch(grid_row, 4)
        layout.addWidget(self.summary, grid_row + 1, 0, 1, COLUMNS)

    def reset(self) -> None:
        """Forget the shown run."""
        self.load(RunHistory(self.model))

    def add(self, event: Event) -> None:
        """Show what `event` adds."""
        self.history.add(event)
        if isinstance(event, StepLogged):
            self.stale = True
        elif isinstance(event, EpochEnded):
            self.stale = True
            self.pending, self.pending_grids = event, {}
        elif isinstance(event, SamplesReady) and event.name in self.grids:
            if self.pending is not None and event.epoch == self.pending.epoch:
                self.pending_grids[event.name] = event.grid
            else:
                self.grids[event.name].add_grid(event.epoch, event.grid)
        if self.pending is not None and (
            self.pending_grids.keys() == self.grids.keys()
            or not isinstance(event, (EpochEnded, SamplesReady))  # no more grids will come
        ):
            self._show_epoch()

    def _show_epoch(self) -> None:
        epoch, self.pending = self.pending, None
        for name, grid in self.pending_grids.items():
            self.grids[name].add_grid(epoch.epoch, grid)
        self.pending_grids = {}
        self.refresh()
        self.summary.setText(summarize(self.model, epoch))

    def refresh(self) -> None:
        """Redraw the plots that events grew since the last redraw (not mid-epoch-end)."""
        if self.stale and self.pending is None:
            self.stale = False
            for plot in self.plots:
                plot.redraw_if_grown()

    def load(self, history: RunHistory) -> None:
        """Show a whole history, e.g. of a run folder."""
        self.history = history
        self.pending, self.pending_grids = None, {}
        for plot in self.plots:
            plot.show_history(history)
        for name, grid in self.grids.items():
            grid.clear()
            for epoch, image in sorted(history.grids.get(name, {}).items()):
                grid.add_grid(epoch, image)
        self.summary.setText(summarize(self.model, history.last_epoch))
