"""LossPlot: curves created once and updated with setData; its owner decides when to redraw."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from fmgen_gui.assets import colours
from fmgen_gui.export import save_plot
from fmgen_gui.widgets.plot_style import LEGEND_COLUMNS, MIN_DATA_PX, legend_below, make_plot
from trainer.registry import PlotSpec
from trainer.runs.history import RunHistory

COLOURS = colours()["series"]  # resources/colours.json; the first two are colour-blind safe
CHROME_PX = 150  # a two-line title, the x axis and its label, the controls row
LEGEND_ROW_PX = 20


def minimum_height(curves: int) -> int:
    """The least height of a screen LossPlot with `curves` legend entries."""
    legend_rows = -(-max(curves, 1) // LEGEND_COLUMNS)
    return MIN_DATA_PX + CHROME_PX + LEGEND_ROW_PX * legend_rows


def moving_average(values: np.ndarray, window: int) -> np.ndarray:
    """Trailing mean over up to `window` points (shorter at the start), in O(n)."""
    if window <= 1 or len(values) < 2:
        return values
    sums = np.cumsum(np.insert(values, 0, 0.0))
    counts = np.minimum(np.arange(1, len(values) + 1), window)
    starts = np.arange(1, len(values) + 1) - counts
    return (sums[1:] - sums[starts]) / counts


def _markers(colour: str, shown: bool) -> dict:
    """Dots in `colour`, drawn while `symbol` is not None (set again by `setData`)."""
    return {
        "symbol": "o" if shown else None,
        "symbolSize": 6,
        "symbolBrush": colour,
        "symbolPen": colour,
    }


class CountAxis(pg.AxisItem):
    """An axis of steps or epochs: ticks on whole numbers only (there is no epoch 1.5)."""

    def tickSpacing(self, minVal: float, maxVal: float, size: float) -> list:
        levels = super().tickSpacing(minVal, maxVal, size)
        return [(spacing, offset) for spacing, offset in levels if spacing >= 1] or [(1, 0)]


class LossPlot(QWidget):
    """One plot of a PlotSpec; `show_history` draws it, `save_figure` exports it."""

    save_requested = Signal()

    def __init__(self, spec: PlotSpec, parent: QWidget | None = None, text_pt: int = 0) -> None:
        super().__init__(parent)
        self.spec = spec
        self._history: RunHistory | None = None
        self._drawn_sizes: tuple[int, ...] = ()  # each curve's point count at the last redraw
        self.plot = make_plot(
            spec.title,
            spec.x_label,
            spec.y_label,
            self.save_requested.emit,
            text_pt,
            {"bottom": CountAxis("bottom")},
        )
        item = self.plot.getPlotItem()
        item.showGrid(x=True, y=True, alpha=0.2)
        item.setDownsampling(auto=True, mode="peak")
        item.setClipToView(True)
        self.legend = legend_below(item, len(spec.curves), text_pt)
        # Per-epoch curves have few points, each one a measurement: dots on them always.
        self.per_epoch = spec.x_label == "epoch"
        self.curves = {
            curve.key: item.plot(
                [],
                [],
                name=curve.label,
                pen=pg.mkPen(COLOURS[i % len(COLOURS)], width=2),
                **_markers(COLOURS[i % len(COLOURS)], self.per_epoch),
            )
            for i, curve in enumerate(spec.curves)
        }
        self._build_controls()
        if not text_pt:  # a print figure is laid out at the size its page gives it
            self.setMinimumHeight(minimum_height(len(spec.curves)))
            # As wide as the plot's own minimum (its legend's widest row, the axes): a
            # narrower widget cut the legend and the axis label off at both sides.
            self.plot.setMinimumWidth(math.ceil(item.minimumWidth()))

    def data_height(self) -> float:
        """The height of the data area (the view box) as laid out now, in pixels."""
        return self.plot.getPlotItem().vb.height()

    def _build_controls(self) -> None:
        self.smoothing = QSpinBox(minimum=1, maximum=500, value=1, suffix=" pts")
        self.smoothing.setToolTip("Moving average over this many logged points (1 = raw)")
        self.log_scale = QCheckBox("log y")
        save = QPushButton("Save…")
        save.setToolTip("Save this plot as PNG, SVG or PDF (also in its right-click menu)")
        self.smoothing.valueChanged.connect(self.redraw)
        self.log_scale.toggled.connect(self._set_log)
        save.clicked.connect(self.save_requested.emit)
        controls = QHBoxLayout()
        controls.addWidget(QLabel("smooth"))
        controls.addWidget(self.smoothing)
        controls.addWidget(self.log_scale)
        controls.addStretch()
        controls.addWidget(save)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.plot, stretch=1)
        layout.addLayout(controls)

    def show_history(self, history: RunHistory) -> None:
        """Draw `history`'s curves (and follow it on each `redraw`)."""
        self._history = history
        self.redraw()

    def clear(self) -> None:
        """Empty every curve."""
        self._history = None
        self.redraw()

    def point_count(self, key: str) -> int:
        """Points the curve `key` holds now (for tests and checks)."""
        x, _ = self.curves[key].getOriginalDataset()
        return 0 if x is None else len(x)

    def redraw_if_grown(self) -> None:
        """Redraw only when a curve has points it had not at the last redraw.

        While a run trains, step events leave the per-epoch plots as they were; redrawing them
        anyway repainted them on every refresh, work for the GUI thread, which holds the GIL
        and shares two cores with the training thread (see docs/performance.md, Speed).
        """
        if self._sizes() != self._drawn_sizes:
            self.redraw()

    def _sizes(self) -> tuple[int, ...]:
        series = self._history.series if self._history else {}
        return tuple(getattr(series.get(key), "size", 0) for key in self.curves)

    def redraw(self) -> None:
        """Draw the curves from the history's current data."""
        self._drawn_sizes = self._sizes()
        for key, curve in self.curves.items():
            series = self._history.series.get(key) if self._history else None
            if series is None or series.size == 0:
                curve.setData([], [])
                continue
            y = moving_average(series.y, self.smoothing.value())
            if self.log_scale.isChecked():
                y = np.where(y > 0, y, np.nan)  # log of a non-positive value has no place
            lone = series.size == 1  # a single point draws no line: a dot shows it
            curve.setData(series.x, y, symbol="o" if self.per_epoch or lone else None)

    def _set_log(self, on: bool) -> None:
        self.plot.getPlotItem().setLogMode(y=on)
        self.redraw()

    def save_figure(self, path: Path | str) -> Path:
        """Write the plot with its title, axis labels and legend."""
        return save_plot(self.plot, path)
