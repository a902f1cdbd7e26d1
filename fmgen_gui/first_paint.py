"""A start-up probe for the benchmarks: report when the main window has first been painted."""

from __future__ import annotations

import json
import time
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QWidget

QUIT_AFTER_FIRST_PAINT = "FMGEN_QUIT_AFTER_FIRST_PAINT"  # env var read by `fmgen` (app.py)
_MARK = "first-paint "
_SHOWN = "shown "


class FirstPaint(QObject):
    """Calls `then` once, when the event loop has finished `widget`'s first paint."""

    def __init__(self, widget: QWidget, then: Callable[[], None]) -> None:
        super().__init__(widget)
        self._then = then
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """On the first paint, wait for the rest of that frame (the children), then call."""
        if event.type() == QEvent.Type.Paint:
            watched.removeEventFilter(self)
            QTimer.singleShot(0, self._then)
        return False


def quit_after_first_paint(window: QWidget, shown: Callable[[], dict] | None = None) -> FirstPaint:
    """Print 'first-paint <Unix time>' once `window` has been painted, then end the app.

    `shown` adds a line 'shown <JSON>' of what the window shows then (e.g. the Runs tab's
    states), so a test of the real app sees what a person would.
    """

    def report() -> None:
        print(f"{_MARK}{time.time():.6f}", flush=True)
        if shown is not None:
            print(f"{_SHOWN}{json.dumps(shown())}", flush=True)
        QApplication.quit()

    return FirstPaint(window, report)


def painted_at(output: str) -> float | None:
    """The Unix time `quit_after_first_paint` printed in a process's `output`, if it did."""
    if _MARK not in output:
        return None
    return float(output.split(_MARK)[1].split()[0])


def shown_at_first_paint(output: str) -> dict | None:
    """What `quit_after_first_paint` said the window showed, if it did."""
    for line in output.splitlines():
        if line.startswith(_SHOWN):
            return json.loads(line.removeprefix(_SHOWN))
    return None
