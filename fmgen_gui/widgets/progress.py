"""RunProgress: bars for the epoch and the whole run, with elapsed time and an ETA."""

from __future__ import annotations

import time

from PySide6.QtWidgets import QFormLayout, QLabel, QProgressBar, QWidget

TIME_TIP = (
    "The run's training time: wall-clock time from each start or resume of the run to its "
    "stop, over all its sessions, pauses left out (its checkpoint keeps it). Loading the data "
    "before a start is not counted."
)


def fix_size_for(label: QLabel, widest_text: str) -> None:
    """Give `label` the fixed size of its widest text.

    Qt re-lays out the window whenever a label's size hint changes; a label of fixed size
    changes text without that, so a ticking clock does not repaint the whole window.
    """
    metrics = label.fontMetrics()
    label.setFixedSize(metrics.horizontalAdvance(widest_text) + 8, metrics.height() + 4)


def format_duration(seconds: float) -> str:
    """'1:02:03', '2:03' or '0:05'."""
    seconds = max(0, round(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


class RunProgress(QWidget):
    """Shows progress; the clock stops while paused, so the ETA stays honest."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.epoch_bar = QProgressBar()
        self.run_bar = QProgressBar()
        self.time_label = QLabel("-")
        fix_size_for(self.time_label, "0:00:00 trained, 00:00:00 left")
        self.time_label.setToolTip(TIME_TIP)
        layout = QFormLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addRow("Epoch", self.epoch_bar)
        layout.addRow("Run", self.run_bar)
        layout.addRow("Training time", self.time_label)
        layout.labelForField(self.time_label).setToolTip(TIME_TIP)
        self.reset()

    def reset(self) -> None:
        """Nothing running."""
        self.steps_per_epoch = self.total_steps = self.first_step = self.step = 0
        self.active_seconds = self.elapsed_before = 0.0
        self.running_since: float | None = None
        for bar in (self.epoch_bar, self.run_bar):
            bar.setRange(0, 1)
            bar.setValue(0)
            bar.setFormat("not running")
        self.time_label.setText("-")

    def start(
        self, step: int, steps_per_epoch: int, total_steps: int, elapsed_before: float = 0.0
    ) -> None:
        """A run (or resume) begins at `step`, after `elapsed_before` seconds of training."""
        self.reset()
        self.steps_per_epoch, self.total_steps = steps_per_epoch, total_steps
        self.first_step = self.step = step
        self.active_seconds = self.elapsed_before = elapsed_before  # a resumed clock goes on
        self.epoch_bar.setRange(0, steps_per_epoch)
        self.run_bar.setRange(0, total_steps)
        self.epoch_bar.setFormat("%v of %m steps")
        self.run_bar.setFormat("%p%")
        self.resume_clock()
        self.set_step(step)

    def set_step(self, step: int) -> None:
        """Training has reached `step`."""
        self.step = step
        if self.steps_per_epoch:
            done = step % self.steps_per_epoch or (self.steps_per_epoch if step else 0)
            self.epoch_bar.setValue(done)
        self.run_bar.setValue(min(step, self.total_steps))
        self._show_time()

    def pause_clock(self) -> None:
        """Stop counting time (paused)."""
        if self.running_since is not None:
            self.active_seconds += time.monotonic() - self.running_since
            self.running_since = None
        self._show_time()

    def resume_clock(self) -> None:
        """Count time again."""
        if self.running_since is None:
            self.running_since = time.monotonic()

    def elapsed(self) -> float:
        """Seconds spent training (not paused) since the run's start, earlier sessions included."""
        running = time.monotonic() - self.running_since if self.running_since else 0.0
        return self.active_seconds + running

    def eta(self) -> float | None:
        """Seconds left at the pace so far; None before the first step.

        A resumed run's pace is the whole run's (its earlier time over its earlier steps and
        this session's): the first seconds after a resume alone said 30 min for 5.
        """
        if self.elapsed_before and self.step:
            return (self.total_steps - self.step) * self.elapsed() / self.step
        done = self.step - self.first_step
        if done <= 0:
            return None
        return (self.total_steps - self.step) * self.elapsed() / done

    def _show_time(self) -> None:
        eta = self.eta()
        left = format_duration(eta) if eta is not None else "-"
        self.time_label.setText(f"{format_duration(self.elapsed())} trained, {left} left")
