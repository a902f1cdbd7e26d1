"""FollowView: a run another process writes, polled and shown live (read-only)."""

from __future__ import annotations

import time
from pathlib import Path

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from fmgen_gui.training.run_view import RunView
from fmgen_gui.widgets.scroll import vertical_scroll
from trainer.common.errors import FmgenError
from trainer.runs.folder import RunFolder
from trainer.runs.follow import FollowUpdate, RunFollower

POLL_MS = 2000  # network mounts and synced folders: a few seconds late is fine, polls are cheap
SILENT_WARNING_S = 120.0


def describe(update: FollowUpdate, rate: float | None, now: float | None = None) -> str:
    """The status line: state, progress, ETA, and how long the writer has been silent."""
    if update.vanished:
        return "The run folder has disappeared (moved, deleted or unmounted)."
    status = update.status
    if status is None:
        return "Waiting for the run's first status (run.json)…"
    done = f"epoch {status.epoch}, step {status.step:,} of {status.total_steps:,}"
    if status.state != "running":
        message = f": {status.message}" if status.message else ""
        return f"{status.state.capitalize()} on {status.host} at {done}{message}"
    silent = update.silent_for(now) or 0.0
    if status.stale(now) or silent >= SILENT_WARNING_S:
        return (
            f"No update for {silent / 60:.0f} min from {status.host} (at {done}): stalled or dead?"
        )
    eta = ""
    if rate:
        eta = f", about {(status.total_steps - status.step) / rate / 60:.0f} min to go"
    return f"Running on {status.host}: {done}{eta}"


class FollowView(QWidget):
    """A RunView fed by a RunFollower on a timer; nothing is written to the followed folder."""

    ended = Signal(str)  # the final status line, once the run finished, stopped or failed

    def __init__(self, folder: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.folder = folder
        self.follower = RunFollower(folder)
        self.view = RunView(RunFolder(folder).read_config().model)
        self.status = QLabel("Reading the run folder…")
        self.status.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.status)
        layout.addWidget(vertical_scroll(self.view), stretch=1)  # plots keep their height
        self._seen: tuple[float, int] | None = None  # (time, step) of the first poll
        self.rate: float | None = None  # steps per second since the first poll
        self.timer = QTimer(self, interval=POLL_MS)
        self.timer.timeout.connect(self.poll)
        self.timer.start()
        self.poll()

    def poll(self) -> FollowUpdate | None:
        """Read what is new, show it, and stop polling once the run has ended (or once its
        folder cannot be read: then the status line says why, and None is returned)."""
        try:
            update = self.follower.poll()
        except FmgenError as exc:
            self.timer.stop()
            self.status.setText(f"Stopped following: {exc}")
            self.ended.emit(self.status.text())
            return None
        for event in update.events:
            self.view.add(event)
        self.view.refresh()
        self._measure(update)
        self.status.setText(describe(update, self.rate))
        ended = update.status is not None and update.status.state != "running"
        if ended or update.vanished:
            self.timer.stop()
            self.ended.emit(self.status.text())
        return update

    def _measure(self, update: FollowUpdate) -> None:
        if update.status is None:
            return
        now = time.monotonic()
        if self._seen is None:
            self._seen = (now, update.status.step)
        elif now > self._seen[0] and update.status.step > self._seen[1]:
            self.rate = (update.status.step - self._seen[1]) / (now - self._seen[0])
