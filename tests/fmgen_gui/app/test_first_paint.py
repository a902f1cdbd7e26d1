"""The start-up probe: with FMGEN_QUIT_AFTER_FIRST_PAINT, `fmgen` prints its first paint, ends."""

import time

from PySide6.QtWidgets import QLabel

from fmgen_gui.first_paint import FirstPaint, painted_at
from tests.gui_helpers import launch_to_first_paint


def test_first_paint_calls_back_once_after_the_widget_is_painted(qtbot):
    calls = []
    widget = QLabel("painted")
    qtbot.addWidget(widget)
    FirstPaint(widget, lambda: calls.append(time.time()))
    qtbot.wait(50)
    assert calls == []  # not shown: nothing painted yet
    widget.show()
    qtbot.waitUntil(lambda: len(calls) == 1)
    widget.repaint()
    qtbot.wait(50)
    assert len(calls) == 1


def test_fmgen_prints_its_first_paint_and_quits(tmp_path):
    before = time.time()
    done = launch_to_first_paint(tmp_path, tmp_path / "runs")
    assert done.returncode == 0, done.stderr
    stamp = painted_at(done.stdout)
    assert stamp is not None, done.stdout
    assert before < stamp < time.time()
