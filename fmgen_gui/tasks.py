"""TaskRunner: the app's one way to work in the background: jobs on a long-lived thread.

Training, loading the explorer's data, the classifier and the evaluation each own a runner.
A job is `job(report, cancel) -> result`: it sends progress or plain-data events through
`report`, calls trainer.common.errors.raise_if_cancelled(cancel) at least once per batch (the
training loop takes `cancel` as its stop event instead) and returns plain data (numpy arrays,
dataclasses, paths) that the GUI thread may keep; models stay on the thread that built them,
unless a job hands one over as its result and never touches it again.

The thread lives as long as its runner: a fresh thread per job would start a fresh OpenMP team
and cold caches, which cost 15-20% of a training run's speed on two cores.
"""

from __future__ import annotations

import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, QThread, Signal, Slot

from fmgen_gui.data_words import in_app_words
from trainer.common.errors import Cancelled, DataError, FmgenError


@dataclass(frozen=True)
class Report:
    """How a job talks to the GUI thread; both calls are queued signals, safe from any thread."""

    progress: Callable[[float, str], None]  # fraction done, and what is being done
    event: Callable[[object], None]  # one plain-data object, e.g. a training loop event


Job = Callable[[Report, threading.Event], Any]


class _Worker(QObject):
    progress = Signal(float, str)
    event = Signal(object)
    done = Signal(object, object)  # (job, result)
    failed = Signal(object, str)  # (job, message)

    @Slot(object, object)
    def run(self, job: Job, cancel: threading.Event) -> None:
        try:
            result = job(Report(self.progress.emit, self.event.emit), cancel)
        except Cancelled:
            self.failed.emit(job, "")
        except DataError as exc:  # loading the data for Explore, Evaluate, the classifier
            self.failed.emit(job, in_app_words(exc))
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
    event = Signal(object)
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
        self._worker.event.connect(self.event)
        self._worker.done.connect(self._on_done)
        self._worker.failed.connect(self._on_failed)
        self._thread.finished.connect(self._worker.deleteLater)

    def is_busy(self) -> bool:
        """True while a job is queued or running."""
        return bool(self._cancels)

    def is_running(self) -> bool:
        """True while the thread runs (from the first job until shutdown)."""
        return self._thread.isRunning()

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
