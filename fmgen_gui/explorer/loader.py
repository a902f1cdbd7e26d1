"""ExplorerLoader: keeps the explorer's data in step with the model store, in the background."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Signal

from fmgen_gui.explorer.jobs import encode_job, gan_job
from fmgen_gui.model_store import ModelStore
from fmgen_gui.tasks import TaskRunner
from trainer.snapshots import reader_path


class ExplorerLoader(QObject):
    """`refresh(kind)` re-encodes (VAE) or re-samples (GAN) when a newer snapshot is there."""

    progress = Signal(float, str)
    loaded = Signal(object)  # a jobs.Loaded
    failed = Signal(str)
    missing = Signal(str)  # kind: no checkpoint to explore yet

    def __init__(
        self, models: ModelStore, data_dir: Callable[[], str | None], parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.models, self.data_dir = models, data_dir
        self.shown: dict[str, tuple] = {}  # kind -> (path, mtime) of the last snapshot loaded
        self.runner = TaskRunner("fmgen-explorer", self)
        self.runner.progress.connect(self.progress)
        self.runner.finished.connect(lambda job, result: self.loaded.emit(result))
        self.runner.failed.connect(self._on_failed)

    def refresh(self, kind: str, force: bool = False) -> None:
        """Load `kind` again unless what is shown is already its newest snapshot."""
        path = self.models.checkpoint_path(kind)
        if path is None or not path.is_file():
            self.missing.emit(kind)
            return
        path = reader_path(path)
        version = (path, path.stat().st_mtime_ns)
        if self.shown.get(kind) == version and not force:
            return
        self.shown[kind] = version
        self.runner.cancel()  # a newer checkpoint replaces a load in progress
        make_job = encode_job if kind == "vae" else gan_job
        self.runner.submit(make_job(path, self.data_dir()))

    def _on_failed(self, job, message: str) -> None:
        if message:  # empty: cancelled, superseded by a newer load
            self.shown.clear()
            self.failed.emit(message)
