"""Owns the training runner: start, pause, resume, stop, and a bounded shutdown."""

from __future__ import annotations

import threading

from PySide6.QtCore import QObject, Signal

from fmgen_gui.tasks import TaskRunner
from fmgen_gui.training.job import Backlog, DataCache, TrainingRequest, training_job
from trainer.common.events import TERMINAL_EVENTS, Event, Paused, Resumed, RunFailed, RunStarted

IDLE, STARTING, RUNNING, PAUSED, STOPPING = "idle", "starting", "running", "paused", "stopping"


class TrainingController(QObject):
    """One run at a time on the training TaskRunner; events arrive on the GUI thread.

    Stop is the runner's cancel: the loop takes the job's cancel event as its stop event, saves
    a checkpoint and ends. Pause is this controller's own event, which only the loop reads.
    """

    event = Signal(object)
    state_changed = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.state = IDLE
        self._busy = False
        self._pause = threading.Event()
        self._backlog = Backlog()
        self._data = DataCache()
        self.runner = TaskRunner("fmgen-training", self)
        self.runner.event.connect(self._on_event)
        self.runner.finished.connect(self._on_run_finished)
        self.runner.failed.connect(self._on_job_failed)

    def is_busy(self) -> bool:
        """True from start until the run has ended."""
        return self._busy

    def start(self, request: TrainingRequest) -> bool:
        """Begin a run; refused (False) while one is going."""
        if self._busy:
            return False
        self._pause.clear()
        self._busy = True
        self._set_state(STARTING)
        self.runner.submit(training_job(request, self._data, self._pause, self._backlog))
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
            self.runner.cancel()
            self._pause.clear()
            self._set_state(STOPPING)

    def shutdown(self, timeout_s: float = 10.0) -> bool:
        """Stop any run, end the thread and wait up to `timeout_s`; True when it has ended."""
        self.stop()
        if not self.runner.shutdown(timeout_s):
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

    def _on_job_failed(self, job, message: str) -> None:
        if message:  # the job reports its own failures as events; this is a bug's traceback
            self.event.emit(RunFailed(message, "internal"))
        self._on_run_finished()

    def _on_run_finished(self, *_) -> None:
        self._busy = False
        self._set_state(IDLE)

    def _set_state(self, state: str) -> None:
        if state != self.state:
            self.state = state
            self.state_changed.emit(state)
