"""ExplorerLoader: keeps the explorer's data in step with the model store, in the background."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Signal

from fmgen_gui.explorer.jobs import explore_job
from fmgen_gui.explorer.translation_jobs import Domains, domains_job
from fmgen_gui.model_store import ModelStore
from fmgen_gui.tasks import TaskRunner
from trainer.registry import get_model
from trainer.runs.snapshots import reader_path


class ExplorerLoader(QObject):
    """`refresh(kind)` re-encodes or re-samples model `kind` when its checkpoint changed."""

    progress = Signal(float, str)
    loaded = Signal(str, object)  # the model and its jobs.Loaded
    translated = Signal(str, object)  # a translating model and its translation_jobs.Domains
    failed = Signal(str)
    missing = Signal(str)  # kind: no checkpoint to explore yet

    def __init__(
        self, models: ModelStore, data_dir: Callable[[], str | None], parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.models, self.data_dir = models, data_dir
        self.shown: dict[str, tuple] = {}  # kind -> (path, mtime) of what was last loaded
        self._kinds: dict[int, str] = {}  # id(job) -> the model it loads
        self.runner = TaskRunner("fmgen-explorer", self)
        self.runner.progress.connect(self.progress)
        self.runner.finished.connect(self._on_finished)
        self.runner.failed.connect(self._on_failed)

    def refresh(self, kind: str, force: bool = False) -> None:
        """Load `kind` again unless what is shown is already its newest epoch snapshot."""
        path = self.models.checkpoint_path(kind)
        if path is None or not path.is_file():
            self.missing.emit(kind)
            return
        path = reader_path(path)  # an immutable epoch_NNN.pt: codes and decoder never mix epochs
        version = (path, path.stat().st_mtime_ns)
        if self.shown.get(kind) == version and not force:
            return
        self.shown[kind] = version
        self.runner.cancel()  # a newer checkpoint replaces a load in progress
        make = domains_job if get_model(kind).translates else explore_job
        job = make(kind, path, self.data_dir())
        self._kinds[id(job)] = kind
        self.runner.submit(job)

    def _on_finished(self, job, result: object) -> None:
        done = self.translated if isinstance(result, Domains) else self.loaded
        done.emit(self._kinds.pop(id(job)), result)

    def _on_failed(self, job, message: str) -> None:
        kind = self._kinds.pop(id(job), None)
        if kind is not None:  # cancelled or failed: load it again next time
            self.shown.pop(kind, None)
        if message:  # empty: cancelled, superseded by a newer load
            self.failed.emit(message)
