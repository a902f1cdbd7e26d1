"""Runs the trainer's generator on a QThread and re-emits its events through one signal."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, Signal, Slot

from trainer.checkpoint import load_checkpoint
from trainer.config import RunConfig, check_resumable
from trainer.data import FashionMNIST, load_fashion_mnist
from trainer.events import StepLogged
from trainer.loop import failure_event, train


@dataclass(frozen=True)
class TrainingRequest:
    """What to train: plain values only, so it can cross to the worker thread."""

    config: RunConfig
    run_dir: Path
    data_dir: str | None = None
    resume_from: Path | None = None  # a checkpoint file


class Backlog:
    """Counts events emitted but not yet handled, so step events can be shed when it grows.

    Step events only feed plots (metrics.jsonl keeps them all); shedding them while the GUI
    thread is behind keeps its queue bounded instead of letting it lag ever further.
    """

    LIMIT = 64

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pending = 0

    def add(self) -> None:
        """One event emitted."""
        with self._lock:
            self._pending += 1

    def done(self) -> None:
        """One event handled by the GUI thread."""
        with self._lock:
            self._pending = max(0, self._pending - 1)

    def full(self) -> bool:
        """True when the GUI thread is too far behind for another step event."""
        with self._lock:
            return self._pending >= self.LIMIT


class DataCache:
    """Datasets by (folder, limit), loaded once per app session, shared by runs."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._data: dict[tuple[str | None, int | None], FashionMNIST] = {}

    def get(self, data_dir: str | None, limit: int | None) -> FashionMNIST:
        """The dataset, loading it on first use (call from the worker thread)."""
        key = (data_dir or None, limit)
        with self._lock:
            if key not in self._data:
                self._data[key] = load_fashion_mnist(data_dir or None, limit=limit, download=True)
            return self._data[key]


class TrainingWorker(QObject):
    """Lives on the training thread; each `run` drives one training run to its end."""

    event = Signal(object)
    finished = Signal()

    def __init__(
        self, data: DataCache, stop: threading.Event, pause: threading.Event, backlog: Backlog
    ) -> None:
        super().__init__()
        self.data, self.stop, self.pause, self.backlog = data, stop, pause, backlog

    @Slot(object)
    def run(self, request: TrainingRequest) -> None:
        """Load data and checkpoint, train, and emit every event; never raise."""
        try:
            for event in self._events(request):
                if isinstance(event, StepLogged) and self.backlog.full():
                    continue
                self.backlog.add()
                self.event.emit(event)
        except Exception as exc:
            self.backlog.add()
            self.event.emit(failure_event(exc, None))
        finally:
            self.finished.emit()

    def _events(self, request: TrainingRequest):
        resume = None
        if request.resume_from is not None:
            resume = load_checkpoint(request.resume_from, expect_model=request.config.model)
            check_resumable(request.config, resume.config)
        if self.stop.is_set():  # closed while starting: nothing to save yet
            return
        data = self.data.get(request.data_dir, request.config.limit)
        yield from train(request.config, data, request.run_dir, self.stop, self.pause, resume)
