"""EvaluationPane: the metrics of the loaded VAE and GAN, and 'Export report…'."""

from __future__ import annotations

import html
from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from fmgen_gui.file_dialogs import ask_folder
from fmgen_gui.model_store import ModelStore
from fmgen_gui.report.figures import class_histogram_plot
from fmgen_gui.report.page import export_report, metrics_tables
from fmgen_gui.tasks import TaskRunner
from fmgen_gui.widgets.message_bar import MessageBar
from fmgen_gui.widgets.sample_grid import ImageCanvas, to_qimage
from trainer.classifier import load_or_train_classifier
from trainer.data import load_fashion_mnist
from trainer.evaluate import Evaluation, EvaluationSettings, evaluate, write_metrics
from trainer.interpret import describe_setup, interpret


def evaluation_job(runs: dict[str, Path], data_dir: str | None, settings: EvaluationSettings):
    """Load data and classifier, then evaluate; returns plain numbers and images."""

    def job(report, cancel) -> Evaluation:
        report.progress(0.0, "loading the data and the classifier")
        data = load_fashion_mnist(data_dir, download=True, cancel=cancel)
        classifier, info = load_or_train_classifier(data, report.progress, cancel=cancel)
        return evaluate(runs, data, classifier, info, settings, report.progress, cancel)

    return job


class EvaluationPane(QWidget):
    """Evaluate whatever models the store holds; show the numbers; export the report."""

    def __init__(
        self, models: ModelStore, data_dir: Callable[[], str | None], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.models, self.data_dir = models, data_dir
        self.evaluation: Evaluation | None = None
        self.runner = TaskRunner("fmgen-evaluation", self)
        self.runner.progress.connect(self._on_progress)
        self.runner.finished.connect(self._on_finished)
        self.runner.failed.connect(self._on_failed)
        defaults = EvaluationSettings()
        self.samples = QSpinBox(minimum=100, maximum=60000, singleStep=1000, value=defaults.samples)
        self.iwae_k = QSpinBox(minimum=1, maximum=5000, value=defaults.iwae_k)
        self.samples.setToolTip("Samples per model (and real/noise images per calibration row)")
        self.iwae_k.setToolTip("Importance samples per test image for the IWAE bound")
        self.evaluate_button = QPushButton("Evaluate")
        self.export_button = QPushButton("Export report…")
        self.evaluate_button.clicked.connect(self.evaluate)
        self.export_button.clicked.connect(self.export_dialog)
        self.progress = QProgressBar(maximum=100, visible=False)
        self.status = QLabel("Train or open a VAE and a GAN, then press Evaluate.")
        self.used = QLabel()  # which epoch of each model the shown numbers are of
        self.messages = MessageBar()
        self.text = QTextBrowser()
        self.worst_title = QLabel(
            "<b>Worst-reconstructed test images per class</b> (image, reconstruction)"
        )
        self.worst = ImageCanvas()
        self.histogram_box = QVBoxLayout()
        self._layout()

    def _layout(self) -> None:
        controls = QHBoxLayout()
        for widget in (
            QLabel("Samples"),
            self.samples,
            QLabel("IWAE k"),
            self.iwae_k,
            self.evaluate_button,
            self.export_button,
            self.used,
            self.progress,
            self.status,
        ):
            controls.addWidget(widget)
        controls.addStretch()
        right = QWidget()
        column = QVBoxLayout(right)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.worst_title)
        column.addWidget(self.worst, stretch=3)
        column.addLayout(self.histogram_box, stretch=2)
        splitter = QSplitter()
        splitter.addWidget(self.text)
        splitter.addWidget(right)
        splitter.setSizes([640, 600])
        layout = QVBoxLayout(self)
        layout.addLayout(controls)
        layout.addWidget(self.messages)
        layout.addWidget(splitter, stretch=1)

    def evaluate(self) -> None:
        """Evaluate the models in the store in the background."""
        runs = {
            kind: self.models.checkpoint_path(kind)
            for kind in ("vae", "gan")
            if self.models.has(kind)
        }
        if not runs:
            self.messages.show_message("No model yet: train or open a VAE or a GAN.", "error")
            return
        if self.runner.is_busy():
            return
        settings = EvaluationSettings(samples=self.samples.value(), iwae_k=self.iwae_k.value())
        self.messages.hide()
        self.evaluate_button.setEnabled(False)
        self.runner.submit(evaluation_job(runs, self.data_dir(), settings))

    def _on_progress(self, fraction: float, text: str) -> None:
        self.progress.setVisible(True)
        self.progress.setValue(round(fraction * 100))
        self.status.setText(text)

    def _on_failed(self, job, message: str) -> None:
        self.progress.setVisible(False)
        self.evaluate_button.setEnabled(True)
        if message:
            self.messages.show_message(message, "error")

    def _on_finished(self, job, evaluation: Evaluation) -> None:
        self.progress.setVisible(False)
        self.evaluate_button.setEnabled(True)
        self.evaluation = evaluation
        self.used.setText(
            "; ".join(f"{kind.upper()}, epoch {m.epoch}" for kind, m in evaluation.models.items())
        )
        metrics = evaluation.metrics
        written = write_metrics(evaluation)
        self.text.setHtml(
            f"<p><b>What was done and how.</b> {html.escape(describe_setup(metrics))}</p>"
            + metrics_tables(metrics)
            + f"<p><b>Result.</b> {html.escape(' '.join(interpret(metrics)))}</p>"
        )
        if "vae" in evaluation.models:
            self.worst.set_image(to_qimage(evaluation.models["vae"].grids["worst"]))
        while self.histogram_box.count():
            self.histogram_box.takeAt(0).widget().deleteLater()
        histograms = {
            k.upper(): metrics[k]["samples"]["class_histogram"] for k in evaluation.models
        }
        self.histogram_box.addWidget(class_histogram_plot(histograms))
        self.status.setText(
            f"Evaluated in {metrics['seconds']:.0f} s; metrics.json written to "
            + ", ".join(str(p.parent) for p in written)
        )

    def export_dialog(self) -> None:
        """Ask for a folder and export the report there."""
        if self.evaluation is None:
            self.messages.show_message(
                "Press Evaluate first: the report shows its numbers.", "error"
            )
            return
        folder = ask_folder(self, "Folder for the report", "reports")
        if folder is not None:
            self.export(folder)

    def export(self, folder: Path) -> Path | None:
        """Write report.pdf, its preview, the figures and metrics.json into `folder`."""
        try:
            files = export_report(self.evaluation, folder)
        except OSError as exc:
            self.messages.show_message(f"The report was not written: {exc}", "error")
            return None
        self.messages.show_message(f"Report written: {files.pdf} (and figures/)", "info")
        return files.pdf
