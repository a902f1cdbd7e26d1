"""The dependency rule: the trainer never imports Qt, and it is a map of documented packages
(their layers are import-linter's contracts in pyproject.toml, run by `make lint`)."""

from __future__ import annotations

import importlib
import os
import pkgutil
import re
import subprocess
import sys
from pathlib import Path

import trainer

QT_MODULES = ("PySide6", "pyqtgraph", "shiboken6", "superqt")


def test_importing_every_trainer_module_loads_no_qt():
    modules = [m.name for m in pkgutil.walk_packages(trainer.__path__, "trainer.")]
    modules = [m for m in modules if m != "trainer.__main__"]
    assert "trainer.training.loop" in modules and "trainer.cli.train" in modules
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


def test_trainer_is_packages_that_say_what_they_are_and_export_their_names():
    """Every top-level entry but __init__/__main__ is a package with a docstring and an __all__
    whose names exist, and trainer's own docstring (the layer map) names each package."""
    root = Path(trainer.__file__).parent
    entries = {p.name for p in root.iterdir() if p.name != "__pycache__"}
    packages = sorted(entries - {"__init__.py", "__main__.py"})
    layer_map = "\n".join(line for line in trainer.__doc__.splitlines() if line.startswith("    L"))
    assert packages and all((root / name / "__init__.py").is_file() for name in packages)
    for name in packages:
        package = importlib.import_module(f"trainer.{name}")
        assert package.__doc__ and package.__all__, name
        for public in package.__all__:
            assert hasattr(package, public) or (root / name / f"{public}.py").is_file(), public
        assert re.search(rf"\b{name}\b", layer_map), f"the layer map misses {name}"


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
