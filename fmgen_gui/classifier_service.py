"""ClassifierService: the one classifier, loaded or trained in the background once per session."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Signal

from fmgen_gui.tasks import TaskRunner
from trainer.data.fashion_mnist import load_fashion_mnist
from trainer.metrics.classifier import (
    ClassifierInfo,
    FashionClassifier,
    cache_path,
    load_classifier,
)
from trainer.metrics.classifier import load_or_train_classifier as _load_or_train


class ClassifierService(QObject):
    """`request()` starts the job once; `ready` fires when `model` can be used (GUI thread)."""

    ready = Signal()
    progress = Signal(float, str)
    failed = Signal(str)

    def __init__(self, data_dir: Callable[[], str | None], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.data_dir = data_dir
        self.model: FashionClassifier | None = None
        self.info: ClassifierInfo | None = None
        self.runner = TaskRunner("fmgen-classifier", self)
        self.runner.progress.connect(self.progress)
        self.runner.finished.connect(self._on_finished)
        self.runner.failed.connect(lambda job, message: message and self.failed.emit(message))

    def request(self) -> None:
        """Make the classifier available (training it the first time, about 3 CPU minutes)."""
        if self.model is None and not self.runner.is_busy():
            self.runner.submit(self._job(self.data_dir()))

    @staticmethod
    def _job(data_dir: str | None):
        def job(report, cancel):
            data = load_fashion_mnist(data_dir, download=True, cancel=cancel)
            # The model stays on this thread; the GUI thread reads the cached file.
            _load_or_train(data, progress=report.progress, cancel=cancel)
            return cache_path(data.fingerprint())

        return job

    def _on_finished(self, job, path) -> None:
        self.model, self.info = load_classifier(path)
        self.ready.emit()
