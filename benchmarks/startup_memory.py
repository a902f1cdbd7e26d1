"""Window start-up time, and the peak memory of a training epoch in the window.

Each is measured in a fresh Python process (offscreen Qt), so the figures are whole-process
ones: interpreter, torch, Qt, the window, the data and the model.

    python benchmarks/startup_memory.py [--quick]
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import Figure, median_of, run_benchmark

ROOT = Path(__file__).resolve().parent.parent
SHOW_WINDOW = """
import sys, tempfile
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication
from fmgen_gui.main_window import MainWindow
app = QApplication(["fmgen"])
folder = tempfile.mkdtemp()
window = MainWindow(QSettings(folder + "/s.ini", QSettings.Format.IniFormat), runs_dir=folder)
window.show()
app.processEvents()
print("shown", flush=True)
"""
PEAK_MEMORY = """
import json, resource, sys
sys.path.insert(0, {root!r})
from benchmarks.gui_responsiveness import WindowBench
bench = WindowBench("vae", {limit})
bench.epoch(None)
bench.window.close()
print(json.dumps(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024))
"""


def startup_seconds() -> float:
    """From starting a Python process to the main window shown."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-c", SHOW_WINDOW], stdout=subprocess.PIPE, text=True, cwd=ROOT, env=env
    )
    for line in process.stdout:
        if line.startswith("shown"):
            break
    seconds = time.perf_counter() - started
    process.wait(timeout=60)
    return seconds


def peak_memory_mb(limit: int | None) -> float:
    """Peak resident memory (MB) of a process that trains one epoch in the window."""
    code = PEAK_MEMORY.format(root=str(ROOT), limit=limit)
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        check=True,
        timeout=1200,
    )
    return float(json.loads(out.stdout.strip().splitlines()[-1]))


def run(quick: bool = False) -> list[Figure]:
    """Start-up (median of 3) and peak memory (one epoch, full data unless quick)."""
    startup = median_of([startup_seconds() for _ in range(3)])
    memory = peak_memory_mb(6000 if quick else None)
    return [
        Figure(
            "startup",
            "process start to main window shown (s, median of 3)",
            f"{startup:.2f}",
            "<= 3 s",
        ),
        Figure(
            "memory",
            "peak resident memory, one VAE epoch in the window (MB)",
            f"{memory:.0f}",
            "<= 1536 MB",
        ),
    ]


if __name__ == "__main__":
    run_benchmark(run)
