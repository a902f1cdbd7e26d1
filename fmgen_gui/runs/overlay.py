"""RunsOverlay: a series the selected runs share, on one plot, and their latest sample grids."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from fmgen_gui.widgets.loss_plot import LossPlot
from fmgen_gui.widgets.sample_grid import SampleGrid
from trainer.common.errors import FmgenError
from trainer.registry import get_model
from trainer.runs.history import RunHistory
from trainer.runs.index import RunRow, overlay

MAX_GRIDS = 4


class RunsOverlay(QWidget):
    """The Runs tab's lower part: `show_runs` takes the selected rows (a view: no table)."""

    save_requested = Signal(object)  # the overlay plot or a grid to save as a figure
    problem = Signal(str)  # a selected run that could not be read (damaged since it was listed)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[RunRow] = []
        self.histories: dict[str, RunHistory] = {}
        self.plot: LossPlot | None = None
        self.series = QComboBox(placeholderText="select runs above to compare their curves")
        self.series.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.series.currentIndexChanged.connect(self._draw)
        self.note = QLabel(wordWrap=True)  # why nothing is plotted, when nothing is
        self.plot_box = QVBoxLayout()
        self.grids = QHBoxLayout()
        chooser = QHBoxLayout()
        label = QLabel("Plot of the selected runs:")
        label.setBuddy(self.series)
        chooser.addWidget(label)
        chooser.addWidget(self.series)
        chooser.addStretch()
        layout = QVBoxLayout(self)
        layout.addLayout(chooser)
        layout.addWidget(self.note)
        layout.addLayout(self.plot_box, stretch=3)
        layout.addLayout(self.grids, stretch=2)
        self._explain()

    def show_runs(self, rows: list[RunRow]) -> None:
        """Offer the series `rows` share, draw the first, and show their latest sample grids."""
        self.rows, self.histories = [], {}
        for row in rows:
            try:
                self.histories[row.label] = RunHistory.from_folder(row.path)
            except FmgenError as exc:  # damaged since the table was read
                self.problem.emit(str(exc))
                continue
            self.rows.append(row)
        rows = self.rows
        histories = self.histories.values()
        shared = set.intersection(*(set(h.series) for h in histories)) if rows else set()
        self.series.blockSignals(True)
        self.series.clear()
        self.series.addItems(sorted(shared, key=self._series_order))
        self.series.setCurrentIndex(0 if shared else -1)  # a set placeholder keeps index -1
        self.series.blockSignals(False)
        self._draw()
        self._explain()
        _clear(self.grids)
        for label, history in list(self.histories.items())[:MAX_GRIDS]:
            grid = SampleGrid(label)
            for epoch, image in sorted(history.grids.get("samples", {}).items()):
                grid.add_grid(epoch, image)
            grid.save_requested.connect(lambda g=grid: self.save_requested.emit(g))
            self.grids.addWidget(grid)

    def _explain(self) -> None:
        """Say why no curves are drawn: no run selected, or runs that log no series in common."""
        if not self.rows:
            note = "Select one or more runs above to plot their curves on one plot."
        elif self.series.count():
            note = ""
        else:
            models = sorted({get_model(row.model).label for row in self.rows})
            why = (
                f"runs of different models ({', '.join(models)}) log different losses; "
                "select runs of one model to compare their curves"
                if len(models) > 1
                else "a run that has logged nothing yet shares nothing"
            )
            note = f"The selected runs share no series, so there is nothing to overlay: {why}."
        self.note.setText(note)
        self.note.setVisible(bool(note))
        self.series.setEnabled(self.series.count() > 0)

    def _series_order(self, key: str) -> tuple:
        """The model's headline test metric first, then test, train and step series."""
        model = self.rows[0].model if self.rows else None
        headline = f"test/{get_model(model).summary_metrics[0]}" if model else ""
        return (key != headline, not key.startswith("test/"), key)

    def _draw(self) -> None:
        _clear(self.plot_box)
        self.plot = None
        key = self.series.currentText()
        if not key:
            return
        x_label = "step" if key.startswith("step/") else "epoch"
        spec, merged = overlay(self.histories, key, x_label)
        plot = self.plot = LossPlot(spec)
        plot.show_history(merged)
        plot.save_requested.connect(lambda: self.save_requested.emit(plot))
        self.plot_box.addWidget(plot)


def _clear(layout: QHBoxLayout | QVBoxLayout) -> None:
    while layout.count():
        widget = layout.takeAt(0).widget()
        if widget is not None:
            widget.deleteLater()
