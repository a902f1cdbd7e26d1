"""Owns the training thread: start, pause, resume, stop, and a bounded shutdown."""

from __future__ import annotations

import threading

from PySide6.QtCore import QObject, QThread, Signal

from fmgen_gui.training.worker import Backlog, DataCache, TrainingRequest, TrainingWorker
from trainer.events import TERMINAL_EVENTS, Event, Paused, Resumed, RunStarted

IDLE, STARTING, RUNNING, PAUSED, STOPPING = "idle", "starting", "running", "paused", "stopping"


class TrainingController(QObject):
    """One run at a time on one long-lived QThread; events arrive on the GUI thread.

    The thread lives as long as the window: a fresh thread per run would start a fresh
    OpenMP team and cold caches, which measurably slowed every run's first steps.
    """

    event = Signal(object)
    state_changed = Signal(str)
    _run_requested = Signal(object)  # queued to the worker's thread

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.state = IDLE
        self._busy = False
        self._stop = threading.Event()
        self._pause = threading.Event()
        self._backlog = Backlog()
        self._thread = QThread(self)
        self._thread.setObjectName("fmgen-training")
        self._worker = TrainingWorker(DataCache(), self._stop, self._pause, self._backlog)
        self._worker.moveToThread(self._thread)
        self._run_requested.connect(self._worker.run)
        self._worker.event.connect(self._on_event)
        self._worker.finished.connect(self._on_run_finished)
        self._thread.finished.connect(self._worker.deleteLater)

    def is_busy(self) -> bool:
        """True from start until the run has ended."""
        return self._busy

    def start(self, request: TrainingRequest) -> bool:
        """Begin a run; refused (False) while one is going."""
        if self._busy:
            return False
        self._stop.clear()
        self._pause.clear()
        self._busy = True
        if not self._thread.isRunning():
            self._thread.start()
        self._set_state(STARTING)
        self._run_requested.emit(request)
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
        if self._busy:
            self._stop.set()
            self._pause.clear()
            self._set_state(STOPPING)

    def shutdown(self, timeout_s: float = 10.0) -> bool:
        """Stop any run, end the thread and wait up to `timeout_s`; True when it has ended."""
        self.stop()
        self._thread.quit()  # handled by the thread's loop once the current run returns
        if not self._thread.wait(int(timeout_s * 1000)):
            return False
        self._on_run_finished()
        return True

    def _on_event(self, event: Event) -> None:
        self._backlog.done()
        if isinstance(event, (RunStarted, Resumed)) and self.state != STOPPING:
            self._set_state(RUNNING)
        elif isinstance(event, Paused) and self.state != STOPPING:
            self._set_state(PAUSED)
        self.event.emit(event)
        if isinstance(event, TERMINAL_EVENTS) and self._busy:
            self._set_state(STOPPING)  # the run is ending

    def _on_run_finished(self) -> None:
        self._busy = False
        self._set_state(IDLE)

    def _set_state(self, state: str) -> None:
        if state != self.state:
            self.state = state
            self.state_changed.emit(state)
