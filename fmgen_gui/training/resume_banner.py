"""ResumeBanner: a non-blocking offer to resume a run that was interrupted (closed or crashed)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QPushButton, QWidget

from fmgen_gui.widgets.message_bar import MessageBar
from trainer.runs.interrupted import Interrupted, interrupted_run


class ResumeBanner(MessageBar):
    """'Resume VAE run … (epoch 1 of 2)' with a Resume button; one offer at a time, in order."""

    resume_requested = Signal(object)  # the Interrupted run to resume

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.offers: list[Interrupted] = []
        self.warned: Path | None = None  # the interrupted run Start new run has named once
        self.button = QPushButton("Resume")
        self.button.clicked.connect(lambda: self.offers and self.resume_requested.emit(self.shown))
        self.layout().insertWidget(1, self.button)

    @property
    def shown(self) -> Interrupted | None:
        """The run offered now (None when nothing is)."""
        return self.offers[0] if self.offers and not self.isHidden() else None

    def offer(self, runs: list[Interrupted]) -> None:
        """Offer these runs, the first now and each next one when the first is dealt with."""
        self.offers = list(runs)
        self._show_next()

    def withdraw(self, folder: Path | None) -> None:
        """Stop offering the run in `folder` (resumed, or left for a new run); offer the next."""
        if folder is not None and any(o.folder == folder for o in self.offers):
            self.offers = [o for o in self.offers if o.folder != folder]
            self._show_next()

    def before_new_run(self, run_dir: Path | None) -> str:
        """What to say before a new run leaves the model's interrupted run behind, the first
        time only ('' when nothing: go ahead, and stop offering that run). When this banner
        offers that run, it says it itself (check `text`) so that no second bar repeats it."""
        stopped = interrupted_run(run_dir) if run_dir is not None else None
        if stopped is not None and self.warned != stopped.folder:
            self.warned = stopped.folder
            warning = (
                f"The {stopped.name} stopped at epoch {stopped.epoch} of {stopped.epochs}: "
                "Resume run continues it. Press Start new run again to start from scratch "
                "instead (the stopped run stays in its folder)."
            )
            if self.shown is not None and self.shown.folder == stopped.folder:
                self.show_message(warning, "info")  # said here, by its Resume button, once
            return warning
        self.warned = None
        self.withdraw(stopped and stopped.folder)
        return ""

    def _show_next(self) -> None:
        if not self.offers:
            self.hide()
            return
        run, more = self.offers[0], len(self.offers) - 1
        why = "was stopped" if run.state == "stopped" else "ended early"
        after = f" ({more} more after this one)" if more else ""
        self.show_message(f"{run.offer()}: it {why} before its last epoch{after}.", "info")
