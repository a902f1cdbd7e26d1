"""Guard against PySide6 6.12.0's leak of a reference to None on every void call.

On Python 3.11 that build decrements None's refcount once per call that returns nothing, and a
live-plotting app aborts with "Fatal Python error: none_dealloc" after enough calls. pyproject
excludes 6.12.0 there; this test fails if such a build comes back.
"""

from __future__ import annotations

import subprocess
import sys

PROBE = """
import sys
from PySide6.QtWidgets import QApplication, QWidget
import pyqtgraph as pg
app = QApplication([])
widget = QWidget()
plot = pg.PlotWidget()
curve = plot.plot([0, 1], [0, 1])
before = sys.getrefcount(None)
for i in range(1000):
    widget.update()
for i in range(50):
    curve.setData([0, 1, 2], [i, 1, 2])
    app.processEvents()
print(sys.getrefcount(None) - before)
"""


def test_void_calls_do_not_drop_references_to_none():
    env = {"QT_QPA_PLATFORM": "offscreen", "PATH": ""}
    result = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=120, env=env
    )
    assert result.returncode == 0, result.stderr[-2000:]
    drift = int(result.stdout.strip().splitlines()[-1])
    # A healthy build keeps None's count within a small bound; the broken one loses >= 1000.
    assert drift > -100, f"None lost {-drift} references: a PySide6 refcount bug is back"
