"""The training job: drives the trainer's generator on a TaskRunner and reports its events."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from fmgen_gui.data_words import in_app_words
from fmgen_gui.tasks import Job, Report
from trainer.common.errors import Cancelled, DataError, raise_if_cancelled
from trainer.common.events import Event, StepLogged
from trainer.config.resume import check_resumable
from trainer.config.settings import RunConfig
from trainer.data.fashion_mnist import FashionMNIST, load_fashion_mnist
from trainer.runs.checkpoint import load_checkpoint
from trainer.training.loop import failure_event, train


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

    def get(
        self, data_dir: str | None, limit: int | None, cancel: threading.Event | None = None
    ) -> FashionMNIST:
        """The dataset, loading it on first use (call from the worker thread)."""
        key = (data_dir or None, limit)
        with self._lock:
            if key not in self._data:
                self._data[key] = load_fashion_mnist(
                    data_dir or None, limit=limit, download=True, cancel=cancel
                )
            return self._data[key]


def training_job(
    request: TrainingRequest, data: DataCache, pause: threading.Event, backlog: Backlog
) -> Job:
    """A job that trains `request` to its end and reports every event; `cancel` stops the run."""

    def job(report: Report, cancel: threading.Event) -> None:
        def send(event: Event) -> None:
            if isinstance(event, StepLogged) and backlog.full():
                return
            backlog.add()
            report.event(event)

        try:
            for event in _events(request, data, cancel, pause):
                send(event)
        except Cancelled:
            raise  # stopped while loading: nothing trained, nothing to save
        except DataError as exc:  # the ways to get the data in the app's words
            send(failure_event(DataError(in_app_words(exc)), None))
        except Exception as exc:
            send(failure_event(exc, None))

    return job


def _events(
    request: TrainingRequest, data: DataCache, stop: threading.Event, pause: threading.Event
) -> Iterator[Event]:
    resume = None
    if request.resume_from is not None:
        resume = load_checkpoint(request.resume_from, expect_model=request.config.model)
        check_resumable(request.config, resume.config)
    raise_if_cancelled(stop)  # closed while starting: nothing to save yet
    dataset = data.get(request.data_dir, request.config.limit, stop)
    yield from train(request.config, dataset, request.run_dir, stop, pause, resume)
