"""The dependency rule: the trainer never imports Qt."""

from __future__ import annotations

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
