"""The dependency rule: the trainer never imports Qt."""

from __future__ import annotations

import os
import pkgutil
import subprocess
import sys

import trainer

QT_MODULES = ("PySide6", "pyqtgraph", "shiboken6", "superqt")


def test_importing_every_trainer_module_loads_no_qt():
    modules = [m.name for m in pkgutil.walk_packages(trainer.__path__, "trainer.")]
    modules = [m for m in modules if m != "trainer.__main__"]
    assert "trainer.loop" in modules and "trainer.cli" in modules
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}: importlib.import_module(name)\n"
        f"print(sorted({{m.split('.')[0] for m in sys.modules}} & set({QT_MODULES!r})))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_the_app_starts_without_torchvision_or_torchmetrics(tmp_path):
    """They cost start-up 1.5 s and 1.7 s; the download and the evaluation import them late."""
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from PySide6.QtCore import QSettings\n"
        "from PySide6.QtWidgets import QApplication\n"
        "import fmgen_gui.app\n"
        "from fmgen_gui.main_window import MainWindow\n"
        "app = QApplication(['fmgen'])\n"
        "settings = QSettings(sys.argv[1] + '/settings.ini', QSettings.Format.IniFormat)\n"
        "window = MainWindow(settings=settings, runs_dir=Path(sys.argv[1]) / 'runs')\n"
        "window.show()\n"
        "app.processEvents()\n"
        "window.close()\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'torchvision', 'torchmetrics'}))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "[]"
