"""PathPlot: how the decoded images along the path look to the classifier and to the data."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from fmgen_gui.export import save_plot
from fmgen_gui.widgets.plot_style import (
    CLASS_COLOURS,
    keep_data_height,
    make_layout,
    side_legend,
    style_plot,
)

T_AXIS = "t (0 = A, 1 = B)"
NOT_READY = "The classifier is not ready yet."


class PathPlot(QWidget):
    """Class probabilities over the nearest-real distance, both against t, the slider marked."""

    save_requested = Signal()

    def __init__(self, classes: tuple[str, ...], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.view = make_layout()
        self.probability = style_plot(
            self.view.addPlot(row=0, col=0),
            "What the classifier sees along the path",
            "",
            "P(class)",
            self.save_requested.emit,
        )
        self.probability.setYRange(0, 1)
        legend = side_legend(self.view.ci, 0, 1, rows=2)
        self.distance = style_plot(
            self.view.addPlot(row=1, col=0), "Distance to the nearest test image", T_AXIS, "L2"
        )
        self.distance.setXLink(self.probability)
        self.view.ci.layout.setRowStretchFactor(0, 3)
        self.view.ci.layout.setRowStretchFactor(1, 2)
        self.curves = []
        for k, name in enumerate(classes):
            curve = self.probability.plot([], [], pen=pg.mkPen(CLASS_COLOURS[k], width=2))
            legend.addItem(curve, name)
            self.curves.append(curve)
        self.distances = self.distance.plot(
            [], [], pen=pg.mkPen("k", width=2), symbol="o", symbolSize=5, symbolBrush="k"
        )
        self.markers = [pg.InfiniteLine(angle=90, pen=pg.mkPen("#d62728")) for _ in range(2)]
        for marker, plot in zip(self.markers, (self.probability, self.distance), strict=True):
            plot.addItem(marker)
        self.view.setMinimumHeight(keep_data_height(self.view, *self.plots()))
        # Above the plots, not below: in a 1280x800 window the column scrolls, and a note under
        # the plots was out of sight while the curves it explains were missing (trial defect 6).
        self.note = QLabel(wordWrap=True)
        # The classifier job's last report: a new strip while it trains must not hide how far
        # it is until its next report, which can be a minute away on a busy CPU.
        self.classifier_job = ""
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.note)
        layout.addWidget(self.view, stretch=1)
        self.clear()

    def clear(
        self, note: str = "Pick A and B to see the path through the classifier's eyes."
    ) -> None:
        """No path yet: empty curves, no slider mark, t from 0 (A) to 1 (B); `note` says why."""
        for curve in (*self.curves, self.distances):
            curve.setData([], [])
        for marker in self.markers:
            marker.setVisible(False)
        self.probability.setXRange(0, 1, padding=0.02)
        self.distance.setYRange(0, 1)  # not the range of a path no longer shown
        self.note.setText(note)

    def set_path(
        self, ts: np.ndarray, probabilities: np.ndarray | None, distances: np.ndarray | None
    ) -> None:
        """Curves for one strip; missing parts (no classifier yet) are left empty."""
        for k, curve in enumerate(self.curves):
            if probabilities is None:
                curve.setData([], [])
            else:
                curve.setData(ts, probabilities[:, k])
        if distances is None:
            self.distances.setData([], [])
        else:
            self.distances.setData(ts, distances)
        self.probability.setXRange(float(ts[0]), float(ts[-1]), padding=0.02)
        self.distance.enableAutoRange(axis="y")
        for marker in self.markers:
            marker.setVisible(True)
        self.note.setText("" if probabilities is not None else f"{NOT_READY}{self.classifier_job}")

    def classifier_progress(self, fraction: float, text: str) -> None:
        """While the curves wait for the classifier: the job that makes it, and how far it is."""
        self.classifier_job = f" {text} ({fraction:.0%})"
        if self.note.text().startswith(NOT_READY):
            self.note.setText(f"{NOT_READY}{self.classifier_job}")

    def plots(self) -> tuple[pg.PlotItem, pg.PlotItem]:
        """The probabilities' plot and the distances' plot, top to bottom."""
        return self.probability, self.distance

    def set_t(self, t: float) -> None:
        """Mark the slider's position."""
        for marker in self.markers:
            marker.setValue(t)

    def save_figure(self, path: Path | str, title: str | None = None) -> Path:
        """Write both plots and the legend."""
        return save_plot(self.view, path, title, self.probability)
