"""TaskRunner: one background job at a time on a long-lived thread, with progress and cancel.

A job is `job(progress, cancel) -> result`: it reports with progress(fraction, text), checks
`cancel` (a threading.Event) and returns plain data (numpy arrays, dataclasses, paths) that
the GUI thread may keep; models stay on the thread that built them.
"""

from __future__ import annotations

import threading
import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QThread, Signal, Slot

from trainer.errors import Cancelled, FmgenError

Job = Callable[[Callable[[float, str], None], threading.Event], Any]


class _Worker(QObject):
    progress = Signal(float, str)
    done = Signal(object, object)  # (job, result)
    failed = Signal(object, str)  # (job, message)

    @Slot(object, object)
    def run(self, job: Job, cancel: threading.Event) -> None:
        try:
            result = job(self.progress.emit, cancel)
        except Cancelled:
            self.failed.emit(job, "")
        except FmgenError as exc:
            self.failed.emit(job, str(exc))
        except Exception as exc:
            self.failed.emit(job, f"{type(exc).__name__}: {exc}\n{traceback.format_exc()}")
        else:
            self.done.emit(job, result)


class TaskRunner(QObject):
    """Runs jobs in order on its thread; `finished(job, result)` or `failed(job, message)`.

    A cancelled job ends with `failed(job, "")`, which views may ignore.
    """

    progress = Signal(float, str)
    finished = Signal(object, object)
    failed = Signal(object, str)
    _submit = Signal(object, object)

    def __init__(self, name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._cancels: dict[int, threading.Event] = {}  # per queued job, by id(job)
        self._thread = QThread(self)
        self._thread.setObjectName(name)
        self._worker = _Worker()
        self._worker.moveToThread(self._thread)
        self._submit.connect(self._worker.run)
        self._worker.progress.connect(self.progress)
        self._worker.done.connect(self._on_done)
        self._worker.failed.connect(self._on_failed)
        self._thread.finished.connect(self._worker.deleteLater)

    def is_busy(self) -> bool:
        """True while a job is queued or running."""
        return bool(self._cancels)

    def submit(self, job: Job) -> None:
        """Queue `job` (it starts when the jobs before it have ended)."""
        cancel = threading.Event()
        self._cancels[id(job)] = cancel
        if not self._thread.isRunning():
            self._thread.start()
        self._submit.emit(job, cancel)

    def cancel(self) -> None:
        """Ask every queued or running job to stop at its next check."""
        for event in self._cancels.values():
            event.set()

    def shutdown(self, timeout_s: float = 10.0) -> bool:
        """Cancel, end the thread, wait; True when it has ended."""
        self.cancel()
        self._thread.quit()
        return self._thread.wait(int(timeout_s * 1000))

    def _on_done(self, job: Job, result: object) -> None:
        self._cancels.pop(id(job), None)
        self.finished.emit(job, result)

    def _on_failed(self, job: Job, message: str) -> None:
        self._cancels.pop(id(job), None)
        self.failed.emit(job, message)
