"""Helpers shared by the GUI tests: a window on throw-away settings, set up for tiny runs."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtGui import QTextDocument

from fmgen_gui.first_paint import QUIT_AFTER_FIRST_PAINT
from fmgen_gui.main_window import MainWindow
from trainer.common.events import EpochEnded


def make_window(qtbot, tmp_path: Path, data_dir: Path) -> MainWindow:
    """A shown MainWindow with its own settings file and runs folder, on tiny CPU settings."""
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    window = MainWindow(settings=settings, runs_dir=tmp_path / "runs")
    qtbot.addWidget(window)
    window.show()
    set_tiny_config(window, data_dir)
    return window


def set_tiny_config(
    window: MainWindow, data_dir: Path, model: str = "vae", epochs: int = 2
) -> None:
    """Choose `model` with settings that train in well under a second per epoch."""
    panel = window.training.config_panel
    panel.model.setCurrentIndex(panel.model.findData(model))
    panel.epochs.setValue(epochs)
    panel.batch_size.setValue(32)
    panel.latent_dim.setValue(4)
    panel.device.setCurrentIndex(panel.device.findData("cpu"))
    panel.data_dir.setText(str(data_dir))


class EventLog:
    """Records every event the window's controller delivers."""

    def __init__(self, window: MainWindow) -> None:
        self.events: list = []
        window.controller.event.connect(self.events.append)

    def of(self, kind) -> list:
        """Events of one type."""
        return [e for e in self.events if isinstance(e, kind)]

    def has(self, kind) -> bool:
        """True once an event of this type has arrived."""
        return any(isinstance(e, kind) for e in self.events)

    def epochs(self) -> int:
        """EpochEnded events so far."""
        return len(self.of(EpochEnded))


def mid_word_breaks(document: QTextDocument) -> list[str]:
    """Where laid-out lines break inside a word ('param|eters'), as 'before|after'."""
    found = []
    block = document.begin()
    while block.isValid():
        text, layout = block.text(), block.layout()
        for i in range(layout.lineCount() - 1):
            end = layout.lineAt(i).textStart() + layout.lineAt(i).textLength()
            if not (text[end - 1].isspace() or text[end].isspace() or text[end - 1] in "-/("):
                found.append(f"{text[max(end - 6, 0) : end]}|{text[end : end + 6]}")
        block = block.next()
    return found


def launch_to_first_paint(tmp_path: Path, runs_dir: Path) -> subprocess.CompletedProcess:
    """Run the real `fmgen` (offscreen, its settings under `tmp_path`, its runs folder
    `runs_dir`) until its first paint, when the probe prints what it shows and quits."""
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "FMGEN_RUNS_DIR": str(runs_dir),
        QUIT_AFTER_FIRST_PAINT: "1",
    }
    return subprocess.run(
        [sys.executable, "-m", "fmgen_gui"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
