"""Owns the training thread: start, pause, resume, stop, and a bounded shutdown."""

from __future__ import annotations

import threading

from PySide6.QtCore import QObject, Qt, QThread, Signal

from fmgen_gui.training.worker import Backlog, DataCache, TrainingRequest, TrainingWorker
from trainer.events import TERMINAL_EVENTS, Event, Paused, Resumed, RunStarted

IDLE, STARTING, RUNNING, PAUSED, STOPPING = "idle", "starting", "running", "paused", "stopping"


class TrainingController(QObject):
    """One training run at a time on its own QThread; events arrive on the GUI thread."""

    event = Signal(object)
    state_changed = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.state = IDLE
        self._thread: QThread | None = None
        self._worker: TrainingWorker | None = None
        self._stop = threading.Event()
        self._pause = threading.Event()
        self._backlog = Backlog()
        self._data = DataCache()

    def is_busy(self) -> bool:
        """True from start until the thread has finished."""
        return self._thread is not None

    def start(self, request: TrainingRequest) -> bool:
        """Begin a run; refused (False) while one is going."""
        if self.is_busy():
            return False
        self._stop.clear()
        self._pause.clear()
        self._backlog = Backlog()
        self._thread = QThread(self)
        self._thread.setObjectName("fmgen-training")
        self._worker = TrainingWorker(request, self._data, self._stop, self._pause, self._backlog)
        self._worker.moveToThread(self._thread)
        self._thread.started.connect(self._worker.run)
        self._worker.event.connect(self._on_event)
        # Direct: quit() is thread-safe, and a queued call would wait for the GUI thread, which
        # may itself be blocked in shutdown()'s wait() - a deadlock.
        self._worker.finished.connect(self._thread.quit, Qt.ConnectionType.DirectConnection)
        self._thread.finished.connect(self._on_thread_finished)
        self._set_state(STARTING)
        self._thread.start()
        return True

    def pause(self) -> None:
        """Ask the loop to wait before its next step."""
        if self.state in (STARTING, RUNNING):
            self._pause.set()

    def resume(self) -> None:
        """Let a paused loop go on."""
        self._pause.clear()

    def stop(self) -> None:
        """Ask the loop to save a checkpoint and end."""
        if self.is_busy():
            self._stop.set()
            self._pause.clear()
            self._set_state(STOPPING)

    def shutdown(self, timeout_s: float = 10.0) -> bool:
        """Stop and wait up to `timeout_s` for the thread; True when it has ended."""
        if not self.is_busy():
            return True
        self.stop()
        if not self._thread.wait(int(timeout_s * 1000)):
            return False
        self._on_thread_finished()
        return True

    def _on_event(self, event: Event) -> None:
        self._backlog.done()
        if isinstance(event, (RunStarted, Resumed)) and self.state != STOPPING:
            self._set_state(RUNNING)
        elif isinstance(event, Paused) and self.state != STOPPING:
            self._set_state(PAUSED)
        self.event.emit(event)
        if isinstance(event, TERMINAL_EVENTS) and self.is_busy():
            self._set_state(STOPPING)  # the thread is ending

    def _on_thread_finished(self) -> None:
        if self._thread is None:
            return  # shutdown() already cleaned up
        self._worker.deleteLater()
        self._thread.deleteLater()
        self._thread = self._worker = None
        self._set_state(IDLE)

    def _set_state(self, state: str) -> None:
        if state != self.state:
            self.state = state
            self.state_changed.emit(state)
