"""Export samples: N generated images of any trained model, as PNGs or one .npz, from the app.

The same as `fmgen-sample`: the dialog makes a SampleRequest, a background job loads its own
CPU copy of the checkpoint, samples and writes the files.
"""

from __future__ import annotations

import threading
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QSpinBox,
    QWidget,
)

from fmgen_gui.tasks import Report, TaskRunner
from trainer.common.errors import FmgenError
from trainer.data.fashion_mnist import CLASSES
from trainer.registry import get_model
from trainer.runs.loading import load_learner
from trainer.sampling.samples import MAX_SAMPLES, SampleRequest, check_output, sample, write_samples

FILTERS = "NumPy archive: images and labels (*.npz);;Folder of PNG images (no suffix) (*)"


class SampleExportDialog(QDialog):
    """Which trained model, how many images, which class (conditional models), which seed."""

    def __init__(self, models: list[str], current: str | None, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Export samples")
        self.model = QComboBox()
        for name in models:
            self.model.addItem(get_model(name).title, name)
        self.model.setCurrentIndex(max(self.model.findData(current), 0))
        self.count = QSpinBox(minimum=1, maximum=MAX_SAMPLES, value=1000, singleStep=100)
        self.label = QComboBox()
        self.label.addItem("every class in turn", None)
        for label, name in enumerate(CLASSES):
            self.label.addItem(name, label)
        self.label.setToolTip("Conditional models only: the class to generate")
        self.seed = QSpinBox(minimum=0, maximum=2**31 - 1)
        self.seed.setToolTip("Seed of the latent draws: the same seed gives the same images")
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        for text, widget in (
            ("Model", self.model),
            ("Images", self.count),
            ("Class", self.label),
            ("Seed", self.seed),
        ):
            form.addRow(text, widget)
        form.addRow(buttons)
        self.model.currentIndexChanged.connect(self._follow_model)
        self._follow_model()

    @staticmethod
    def offered(models: list[str]) -> list[str]:
        """The models that draw samples from noise (a translator, CycleGAN, translates instead:
        its strips are exported from Explore)."""
        return [name for name in models if not get_model(name).translates]

    def _follow_model(self) -> None:
        conditional = bool(self.model.count()) and get_model(self.model.currentData()).conditional
        self.label.setEnabled(conditional)
        if not conditional:
            self.label.setCurrentIndex(0)

    def request(self) -> SampleRequest:
        """What the form asks for."""
        return SampleRequest(self.count.value(), self.label.currentData(), self.seed.value())


def ask_samples_path(parent: QWidget, suggested: str) -> Path | None:
    """A save dialog for a .npz file or a new folder of PNGs; None when cancelled."""
    name, chosen = QFileDialog.getSaveFileName(parent, "Export samples to", suggested, FILTERS)
    if not name:
        return None
    path = Path(name)
    if chosen.startswith("NumPy") and path.suffix.lower() != ".npz":
        path = path.with_suffix(".npz")
    return path


def sample_job(checkpoint: Path, request: SampleRequest, out: Path):
    """Load a CPU copy of the checkpoint's model, generate and write; returns a sentence."""

    def job(report: Report, cancel: threading.Event) -> str:
        report.progress(0.0, f"Exporting {request.count:,} samples…")
        learner, loaded = load_learner(checkpoint, None)
        images, labels = sample(learner, request, cancel)
        path = write_samples(out, images, labels)
        label = get_model(loaded.config.model).label
        return f"Wrote {len(images):,} {label} samples (epoch {loaded.epoch}) to {path}"

    return job


class SampleExporter(QObject):
    """Runs exports one at a time in the background; `done(text)` or `failed(message)`."""

    done = Signal(str)
    failed = Signal(str)
    progress = Signal(float, str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.runner = TaskRunner("fmgen-export", self)
        self.runner.progress.connect(self.progress)
        self.runner.finished.connect(lambda job, text: self.done.emit(text))
        self.runner.failed.connect(lambda job, message: message and self.failed.emit(message))

    def export(self, checkpoint: Path, request: SampleRequest, out: Path) -> None:
        """Check what can be checked now (the output path), then sample in the background."""
        try:
            check_output(out)
        except FmgenError as exc:
            self.failed.emit(str(exc))
            return
        self.runner.submit(sample_job(checkpoint, request, out))
