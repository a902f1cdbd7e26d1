"""Scrub latency: from a slider value change to the decoded image painted on screen.

The explorer of the offscreen window holds the default-size VAE (latent 32), then the default
flow (the other one-pass decoder, 784 latents), and the real test set; the slider is moved step
by step as a drag would, and each step waits for the large image's paint. Measured idle for
both, and for the VAE while a VAE trains in the same window.

    python benchmarks/scrub_latency.py [--quick]
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np
import torch
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

from benchmarks.common import Figure, run_benchmark
from fmgen_gui.main_window import MainWindow
from fmgen_gui.widgets.sample_grid import ImageCanvas
from trainer.common.events import StepLogged
from trainer.config.settings import default_config
from trainer.learners import make_learner
from trainer.runs.checkpoint import Checkpoint, save_checkpoint

TARGET = "p95 <= 16 ms"
painted: list[tuple[object, float]] = []
_paint = ImageCanvas.paintEvent


def _timed_paint(self, event) -> None:
    _paint(self, event)
    painted.append((self, time.perf_counter()))


ImageCanvas.paintEvent = _timed_paint  # record when each canvas has finished painting


def default_checkpoint(model: str, folder: Path) -> Path:
    """A checkpoint of the model's default size (untrained weights decode just as fast)."""
    config = default_config(model, device="cpu")
    learner = make_learner(config, torch.device("cpu"))
    path = folder / model / "checkpoint.pt"
    path.parent.mkdir()
    save_checkpoint(path, Checkpoint(path, config, 1, 1, 0, learner.state_dict(), {}, {}))
    return path


def wait(app: QApplication, done, timeout_s: float = 120.0) -> None:
    """Process events until `done()`."""
    deadline = time.monotonic() + timeout_s
    while not done():
        if time.monotonic() > deadline:
            raise TimeoutError("the explorer did not get ready")
        app.processEvents()
        time.sleep(0.001)


def scrub(app: QApplication, window: MainWindow, moves: int) -> np.ndarray:
    """Move the slider `moves` times; milliseconds from each change to the painted image."""
    view = window.explorer.view
    canvas = view.large
    latencies = []
    for i in range(moves):
        painted.clear()
        started = time.perf_counter()
        view.slider.setValue((i * 37) % view.slider.maximum())  # jumps, like a quick drag
        wait(app, lambda: any(widget is canvas for widget, _ in painted))
        done = next(stamp for widget, stamp in painted if widget is canvas)
        latencies.append((done - started) * 1000)
    return np.array(latencies)


def explore(app: QApplication, window: MainWindow, model: str, scratch: Path) -> None:
    """Show `model` (its default size) in the explorer with a pair picked."""
    window.models.set_checkpoint(model, default_checkpoint(model, scratch))
    window.tabs.setCurrentWidget(window.explorer)
    explorer = window.explorer
    explorer.model_choice.setCurrentIndex(explorer.model_choice.findData(model))
    wait(app, lambda: explorer.source == model and explorer.interpolator is not None, 600)
    explorer.picking.pick_random_pair(6, 8)


def percentiles(latencies: np.ndarray) -> str:
    """'p50 / p95' in ms."""
    return f"{np.percentile(latencies, 50):.1f} / {np.percentile(latencies, 95):.1f}"


def run(quick: bool = False) -> list[Figure]:
    """Idle scrub latencies of the VAE and the flow, and the VAE's while training."""
    moves = 100 if quick else 300
    app = QApplication.instance() or QApplication(["fmgen-bench"])
    scratch = Path(tempfile.mkdtemp(prefix="fmgen-scrub-"))
    settings = QSettings(str(scratch / "s.ini"), QSettings.Format.IniFormat)
    window = MainWindow(settings=settings, runs_dir=scratch / "runs")
    window.resize(1280, 800)
    window.show()
    explore(app, window, "flow", scratch)
    flow = scrub(app, window, moves)
    explore(app, window, "vae", scratch)
    idle = scrub(app, window, moves)
    events: list = []
    window.controller.event.connect(events.append)
    window.tabs.setCurrentWidget(window.training)
    window.training.config_panel.device.setCurrentIndex(
        window.training.config_panel.device.findData("cpu")
    )
    window.training.start()
    wait(app, lambda: any(isinstance(e, StepLogged) for e in events))
    window.tabs.setCurrentWidget(window.explorer)
    busy = scrub(app, window, moves)
    window.close()
    return [
        Figure("scrub", "slider to painted image p50 / p95, idle (ms)", percentiles(idle), TARGET),
        Figure("scrub", "the same, while training (ms)", percentiles(busy)),
        Figure("scrub", "the flow, idle (ms)", percentiles(flow), TARGET),
    ]


if __name__ == "__main__":
    run_benchmark(run)
