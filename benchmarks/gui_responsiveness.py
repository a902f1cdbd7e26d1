"""Event-loop stalls while an epoch trains in the window, and the GUI's cost in images/s.

A 10 ms QTimer probe runs on the GUI thread while one epoch of the default model trains in
the offscreen window; a stall is how much later than 10 ms each tick came. Speed is measured
in pairs of epochs, one in the window (without the probe) and one headless, back to back so
both see the same machine (its shared cores drift); the overhead is the median over pairs.
Also: how long closing the window takes while a run is going.

    python benchmarks/gui_responsiveness.py [--quick]
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
from PySide6.QtCore import QEventLoop, QSettings, QTimer
from PySide6.QtWidgets import QApplication

from benchmarks.common import Figure, median_of, run_benchmark
from fmgen_gui.main_window import MainWindow
from trainer.common.events import EpochEnded, RunFailed, RunFinished, StepLogged
from trainer.config.settings import default_config
from trainer.data.fashion_mnist import FashionMNIST, load_fashion_mnist
from trainer.training.loop import train

PROBE_MS = 10


def headless_epoch(model: str, data: FashionMNIST) -> float:
    """Training images/s of one epoch without any GUI."""
    config = default_config(model, epochs=1, device="cpu")
    with tempfile.TemporaryDirectory() as folder:
        for event in train(config, data, folder):
            if isinstance(event, EpochEnded):
                return len(data.train) / event.seconds
    raise RuntimeError("the headless run ended without an epoch")


class WindowBench:
    """One offscreen MainWindow that trains epoch after epoch."""

    def __init__(self, model: str, limit: int | None) -> None:
        self.app = QApplication.instance() or QApplication(["fmgen-bench"])
        scratch = Path(tempfile.mkdtemp(prefix="fmgen-bench-"))
        settings = QSettings(str(scratch / "s.ini"), QSettings.Format.IniFormat)
        self.window = MainWindow(settings=settings, runs_dir=scratch / "runs")
        self.window.resize(1280, 800)
        self.window.show()
        panel = self.window.training.config_panel
        panel.model.setCurrentIndex(panel.model.findData(model))
        panel.use_limit.setChecked(limit is not None)
        panel.limit.setValue(limit or 60000)
        panel.device.setCurrentIndex(panel.device.findData("cpu"))
        self.train_size = limit or 60000

    def _run_until(self, epochs: int, done) -> list:
        """Start a run of `epochs` and wait (in an event loop) until `done(event)`."""
        self.window.training.config_panel.epochs.setValue(epochs)
        events: list = []
        loop = QEventLoop()

        def on_event(event) -> None:
            events.append(event)
            if done(event) or isinstance(event, (RunFinished, RunFailed)):
                loop.quit()

        self.window.controller.event.connect(on_event)
        self.window.training.start()
        loop.exec()
        self.window.controller.event.disconnect(on_event)
        failed = [e for e in events if isinstance(e, RunFailed)]
        if failed:
            raise RuntimeError(failed[0].message)
        return events

    def epoch(self, probe_ms: int | None) -> dict:
        """One epoch; with a probe, the stalls it saw (the probe itself slows training)."""
        ticks: list[float] = []
        probe = QTimer(interval=probe_ms or PROBE_MS)
        probe.timeout.connect(lambda: ticks.append(time.perf_counter()))
        if probe_ms:
            probe.start()
        cpu, wall = time.thread_time(), time.perf_counter()
        events = self._run_until(1, lambda e: False)
        gui_cpu = (time.thread_time() - cpu) / (time.perf_counter() - wall)
        probe.stop()
        self._wait_idle()
        epoch = next(e for e in events if isinstance(e, EpochEnded))
        stalls = np.maximum(np.diff(ticks) * 1000 - PROBE_MS, 0) if probe_ms else np.zeros(1)
        return {
            "images_per_s": self.train_size / epoch.seconds,
            "stalls": stalls,
            "gui_cpu": gui_cpu,
        }

    def close_seconds(self) -> float:
        """Close the window while a run is mid-epoch; seconds until close() returns."""
        self._run_until(1000, lambda e: isinstance(e, StepLogged))
        started = time.perf_counter()
        self.window.close()
        return time.perf_counter() - started

    def _wait_idle(self) -> None:
        while self.window.controller.is_busy():
            self.app.processEvents()
            time.sleep(0.01)


def run(quick: bool = False, model: str = "vae", limit: int | None = None, rounds: int = 7):
    """Paired speed rounds, stalls over one epoch, then the close; returns the figures."""
    limit = limit or (6000 if quick else None)
    rounds = 2 if quick else rounds
    speed_limit = min(limit or 60000, 10000)  # short epochs: more pairs, less drift inside one
    data = load_fashion_mnist(limit=speed_limit, download=True)
    speed = WindowBench(model, speed_limit)
    pairs = []
    for round_ in range(rounds):
        # Alternate which goes first, so neither always meets the other's after-effects.
        headless = headless_epoch(model, data) if round_ % 2 else None
        gui = speed.epoch(None)
        headless = headless or headless_epoch(model, data)
        pairs.append((gui["images_per_s"], headless, gui["gui_cpu"]))
        print(f"pair {round_}: {pairs[-1][0]:.0f} / {headless:.0f} images/s", file=sys.stderr)
    speed.window.close()
    overhead = median_of([1 - g / h for g, h, _ in pairs])
    bench = WindowBench(model, limit)  # a fresh window for the stalls: one window at a time
    probed = bench.epoch(PROBE_MS)
    close_s = bench.close_seconds()
    stalls = probed["stalls"]
    name = model.upper()
    return [
        Figure(
            "gui",
            f"{name} event-loop stall p50 / p99 / max (ms)",
            f"{np.percentile(stalls, 50):.1f} / {np.percentile(stalls, 99):.1f} / "
            f"{stalls.max():.1f}",
            "p99 <= 50 ms",
        ),
        Figure(
            "gui",
            f"{name} images/s in the window / headless (medians)",
            f"{median_of([p[0] for p in pairs]):.0f} / {median_of([p[1] for p in pairs]):.0f}",
        ),
        Figure(
            "gui",
            f"{name} GUI overhead on training speed ({rounds} pairs)",
            f"{overhead:.1%}",
            "<= 5%",
        ),
        Figure(
            "gui",
            "GUI thread's own CPU use while training",
            f"{median_of([p[2] for p in pairs]):.1%}",
        ),
        Figure("gui", "closing the window mid-epoch (s)", f"{close_s:.2f}", "<= 2 s"),
    ]


if __name__ == "__main__":
    run_benchmark(run)
