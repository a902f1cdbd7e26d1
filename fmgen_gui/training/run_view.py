"""RunView: one model's live plots, sample grids and latest metrics."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QGridLayout, QLabel, QWidget

from fmgen_gui.widgets.loss_plot import LossPlot
from fmgen_gui.widgets.sample_grid import SampleGrid
from trainer.events import EpochEnded, Event, SamplesReady, StepLogged
from trainer.history import PLOTS, RunHistory

GRID_TITLES = {
    "vae": {
        "samples": "VAE samples from the prior (fixed noise)",
        "reconstructions": "Test images (odd rows) and their reconstructions",
    },
    "gan": {"samples": "GAN samples (fixed noise)"},
}


def summarize(model: str, event: EpochEnded | None) -> str:
    """One line with the latest epoch's test metrics."""
    if event is None:
        return "No epoch finished yet."
    t = event.test
    if model == "vae":
        return (
            f"Epoch {event.epoch}: test -ELBO {t['neg_elbo']:.1f} nats/image "
            f"(reconstruction {t['bce']:.1f} + KL {t['kl']:.1f}), MSE {t['mse']:.4f} per pixel"
        )
    return (
        f"Epoch {event.epoch}: on the test set D(x) = {t['d_real']:.2f}, "
        f"D(G(z)) = {t['d_fake']:.2f}"
    )


class RunView(QWidget):
    """Plots on top, grids below; `add` feeds it events, `refresh` redraws the step curves.

    Step events only mark the plots stale: the owner calls `refresh` on a timer, so a fast
    run repaints a few times a second, not at every logged step.
    """

    save_requested = Signal(object)  # the LossPlot or SampleGrid to save

    def __init__(self, model: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.history = RunHistory(model)
        self.stale = False
        self.plots = [LossPlot(spec) for spec in PLOTS[model]]
        self.grids = {name: SampleGrid(title) for name, title in GRID_TITLES[model].items()}
        self.summary = QLabel(summarize(model, None))
        layout = QGridLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for column, plot in enumerate(self.plots):
            layout.addWidget(plot, 0, column)
        span = 2 // len(self.grids)  # a lone grid takes the whole row
        for column, grid in enumerate(self.grids.values()):
            layout.addWidget(grid, 1, column * span, 1, span)
        layout.addWidget(self.summary, 2, 0, 1, 2)
        layout.setRowStretch(0, 3)
        layout.setRowStretch(1, 4)
        for view in (*self.plots, *self.grids.values()):
            view.save_requested.connect(lambda v=view: self.save_requested.emit(v))

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
            self.refresh()
            self.summary.setText(summarize(self.model, event))
        elif isinstance(event, SamplesReady) and event.name in self.grids:
            self.grids[event.name].add_grid(event.epoch, event.grid)

    def refresh(self) -> None:
        """Redraw the plots if events arrived since the last redraw."""
        if self.stale:
            self.stale = False
            for plot in self.plots:
                plot.redraw()

    def load(self, history: RunHistory) -> None:
        """Show a whole history, e.g. of a run folder."""
        self.history = history
        for plot in self.plots:
            plot.show_history(history)
        for name, grid in self.grids.items():
            grid.clear()
            for epoch, image in sorted(history.grids.get(name, {}).items()):
                grid.add_grid(epoch, image)
        self.summary.setText(summarize(self.model, history.last_epoch))
