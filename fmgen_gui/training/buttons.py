"""RunButtons: the Train tab's start, resume, pause and stop buttons, with their shortcuts and
which of them a controller state enables (a view: the pane connects them)."""

from __future__ import annotations

from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QHBoxLayout, QPushButton

from fmgen_gui.training.controller import IDLE, PAUSED, RUNNING, STARTING

SHORTCUTS = {"start": "Ctrl+Return", "pause": "Ctrl+P", "stop": "Ctrl+."}


class RunButtons:
    """The four buttons, laid out in two rows: start and resume, then pause and stop."""

    def __init__(self) -> None:
        self.start = QPushButton("Start new run")
        self.resume = QPushButton("Resume run")
        self.pause = QPushButton("Pause")
        self.stop = QPushButton("Stop")
        for button, name in ((self.start, "start"), (self.pause, "pause"), (self.stop, "stop")):
            button.setShortcut(QKeySequence(SHORTCUTS[name]))
            button.setToolTip(f"{button.text()} ({SHORTCUTS[name]})")
        self.resume.setToolTip("Continue the shown run from its checkpoint")

    def rows(self) -> tuple[QHBoxLayout, QHBoxLayout]:
        """Start and resume; pause and stop."""
        starting, running = QHBoxLayout(), QHBoxLayout()
        starting.addWidget(self.start)
        starting.addWidget(self.resume)
        running.addWidget(self.pause)
        running.addWidget(self.stop)
        return starting, running

    def show_state(self, state: str, has_checkpoint: bool) -> None:
        """Enable what the controller's `state` allows; Resume also needs a checkpoint."""
        going = state in (STARTING, RUNNING, PAUSED)
        self.start.setEnabled(state == IDLE)
        self.resume.setEnabled(state == IDLE and has_checkpoint)
        self.pause.setEnabled(going)
        self.pause.setText("Continue" if state == PAUSED else "Pause")
        self.stop.setEnabled(going)
