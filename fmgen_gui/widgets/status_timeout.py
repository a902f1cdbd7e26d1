"""Status-bar messages that go after a while: a message is about a moment, not the session."""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QStatusBar

# Long enough to read a path; the trial saw "Finished 2 epochs; run folder ..." for half an
# hour, on tabs it had nothing to do with.
STATUS_SECONDS = 30


def fade_messages(bar: QStatusBar, seconds: float = STATUS_SECONDS) -> QTimer:
    """Clear each message of `bar` `seconds` after it was shown (a newer one starts again);
    the permanent widgets (the training speed) stay. Returns the timer."""
    timer = QTimer(bar, singleShot=True, interval=round(seconds * 1000))
    timer.timeout.connect(bar.clearMessage)
    bar.messageChanged.connect(lambda text: timer.start() if text else timer.stop())
    return timer
