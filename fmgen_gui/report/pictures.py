"""ResultPictures: the evaluation's pictures beside its tables (worst reconstructions, classes)."""

from __future__ import annotations

from PySide6.QtWidgets import QVBoxLayout, QWidget

from fmgen_gui.report.figures import FigureView, class_histogram_plot, grid_figure
from trainer.common import keys
from trainer.evaluation.results import Evaluation
from trainer.runs.metrics_json import SAMPLES_SECTION


class ResultPictures(QWidget):
    """The first encoder run's worst-reconstructed test images over every run's class shares."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.worst = FigureView()
        self.histogram_box = QVBoxLayout()
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.worst, stretch=3)
        column.addLayout(self.histogram_box, stretch=2)

    def show_evaluation(self, evaluation: Evaluation) -> None:
        """Show the pictures of `evaluation` (the grid only when a run has an encoder)."""
        self.clear()
        encoders = [r for r in evaluation.runs.values() if "worst" in r.grids]
        self.worst.setVisible(bool(encoders))
        if encoders:
            run = encoders[0]
            title = f"{run.facts.label}: worst-reconstructed test images (image, reconstruction)"
            self.worst.set_figure(grid_figure("worst", run.grids["worst"], title))
        histograms = {
            r.facts.label: r.metrics[SAMPLES_SECTION][keys.CLASS_HISTOGRAM]
            for r in evaluation.runs.values()
            if SAMPLES_SECTION in r.metrics  # a translator draws no samples
        }
        self.histogram_box.addWidget(class_histogram_plot(histograms))

    def clear(self) -> None:
        """No pictures, as before the first evaluation."""
        self.worst.set_figure(None)
        self.worst.setVisible(True)
        while self.histogram_box.count():
            self.histogram_box.takeAt(0).widget().deleteLater()
