"""The start-up probe: with FMGEN_QUIT_AFTER_FIRST_PAINT, `fmgen` prints its first paint, ends."""

import os
import subprocess
import sys
import time

from PySide6.QtWidgets import QLabel

from fmgen_gui.first_paint import QUIT_AFTER_FIRST_PAINT, FirstPaint, painted_at


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
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "FMGEN_RUNS_DIR": str(tmp_path / "runs"),
        QUIT_AFTER_FIRST_PAINT: "1",
    }
    before = time.time()
    done = subprocess.run(
        [sys.executable, "-m", "fmgen_gui"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    stamp = painted_at(done.stdout)
    assert stamp is not None, done.stdout
    assert before < stamp < time.time()
