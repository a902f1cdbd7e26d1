"""Close-to-exit time of the app in each long phase, with the CPU defaults.

Each phase runs in a process of its own: the offscreen window starts the work, a hook notes
the moment the phase's function is entered (it only notes it: the work runs as usual), the
window is closed a little later, and this process measures from that close to the child's
exit (the child ends as the app does: `fmgen_gui.app.leave`, without Python's teardown).
Also reported: how long close() itself took.
--quick trains on a 2,000-image subset and evaluates 1,000 samples with k = 5; the encoding,
the classifier and the evaluation always use the whole test set.

    python benchmarks/close_latency.py [--quick]
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.common import Figure, median_of, run_benchmark  # noqa: E402

PHASE_ENV = "FMGEN_BENCH_CLOSE_PHASE"
# phase -> (module, attribute whose entry marks it, seconds into the phase to close at)
PHASES = {
    "loading the data": ("fmgen_gui.training.job", "load_fashion_mnist", 0.1),
    "ending a training epoch": ("trainer.learners", "VAELearner.evaluate", 0.3),
    "training the classifier": ("trainer.metrics.classifier", "train_classifier", 2.0),
    "encoding the test set": ("trainer.sampling.explore", "encode_means", 0.3),
    "evaluating": ("fmgen_gui.report.evaluated", "evaluate_options", 3.0),
}


def mark_entry(module_name: str, attribute: str) -> threading.Event:
    """Wrap `module.attribute` (or `module.Class.method`) to set the returned event on entry."""
    import importlib

    owner = importlib.import_module(module_name)
    *path, name = attribute.split(".")
    for part in path:
        owner = getattr(owner, part)
    real, entered = getattr(owner, name), threading.Event()

    def marked(*args, **kwargs):
        entered.set()
        return real(*args, **kwargs)

    setattr(owner, name, marked)
    return entered


def cache_stand_in_classifier() -> None:
    """Cache an untrained classifier of the real one's size for the real data, so that no job
    trains one (its weights do not change the timings or the memory)."""
    from trainer.data.fashion_mnist import load_fashion_mnist
    from trainer.metrics.classifier import (
        ClassifierInfo,
        FashionClassifier,
        cache_path,
        save_classifier,
    )

    fingerprint = load_fashion_mnist(download=True).fingerprint()
    info = ClassifierInfo(0.0, 0, 0, fingerprint, 0.0)
    save_classifier(FashionClassifier(), info, cache_path(fingerprint))


def train_run(model: str, limit: int, run_dir: Path) -> Path:
    """A one-epoch run of `model` (default settings, CPU) on `limit` images into `run_dir`."""
    from trainer.config.settings import default_config
    from trainer.data.fashion_mnist import load_fashion_mnist
    from trainer.training.loop import train

    config = default_config(model, epochs=1, device="cpu", limit=limit)
    for _ in train(config, load_fashion_mnist(limit=limit), run_dir):
        pass
    return run_dir


def prepare(quick: bool, stand_in_classifier: bool) -> Path:
    """A one-epoch VAE run to explore and evaluate; with `stand_in_classifier`, an untrained
    classifier is cached so that no job trains one (its weights do not change the timings)."""
    if stand_in_classifier:
        cache_stand_in_classifier()
    run_dir = Path(tempfile.mkdtemp(prefix="fmgen-close-run-"))
    return train_run("vae", 500 if quick else 2000, run_dir)


def child(phase: str, quick: bool) -> None:
    """Open the window, enter `phase`, close; print CLOSE <epoch seconds> and CLOSED <s>."""
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from fmgen_gui.app import leave
    from fmgen_gui.main_window import MainWindow

    app = QApplication.instance() or QApplication(["fmgen-bench"])
    run_dir = prepare(quick, stand_in_classifier=phase != "training the classifier")
    module_name, attribute, delay_s = PHASES[phase]
    entered = mark_entry(module_name, attribute)
    scratch = Path(tempfile.mkdtemp(prefix="fmgen-close-"))
    settings = QSettings(str(scratch / "s.ini"), QSettings.Format.IniFormat)
    window = MainWindow(settings=settings, runs_dir=scratch / "runs")
    window.show()
    panel = window.training.config_panel
    panel.device.setCurrentIndex(panel.device.findData("cpu"))
    panel.use_limit.setChecked(quick)
    panel.limit.setValue(2000)
    panel.epochs.setValue(100)
    start_phase(window, phase, run_dir, quick)
    spin(app, entered.is_set, 900)
    spin(app, lambda: False, delay_s)
    print(f"CLOSE {time.time():.6f}", flush=True)
    started = time.perf_counter()
    window.close()
    print(f"CLOSED {time.perf_counter() - started:.6f}", flush=True)
    leave(0)  # as fmgen's main() does once the closed window ends the event loop


def start_phase(window, phase: str, run_dir: Path, quick: bool) -> None:
    """Begin the work that leads into `phase`."""
    if phase in ("loading the data", "ending a training epoch"):
        window.training.start()
        return
    window.open_run(run_dir)
    if phase == "encoding the test set":
        window.tabs.setCurrentWidget(window.explorer)
        return
    if quick:
        window.report.samples.setValue(1000)
        window.report.iwae_k.setValue(5)
    window.report.evaluate()


def spin(app, done: Callable[[], bool], seconds: float) -> None:
    """Run the event loop until `done()` or `seconds` have passed."""
    deadline = time.monotonic() + seconds
    while not done() and time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.002)


def measure(phase: str, quick: bool) -> tuple[float, float]:
    """Seconds of close() and from the close to the child's exit, in a fresh process."""
    with tempfile.TemporaryDirectory(prefix="fmgen-close-") as scratch:
        # The child's cache and temporary folders go here, so each phase starts afresh.
        env = {**os.environ, PHASE_ENV: phase, "FMGEN_CACHE_DIR": scratch, "TMPDIR": scratch}
        args = [sys.executable, __file__, *(["--quick"] if quick else [])]
        errors = Path(scratch) / "stderr.txt"
        with errors.open("w") as stderr:
            child_process = subprocess.Popen(
                args, stdout=subprocess.PIPE, stderr=stderr, text=True, env=env
            )
            closed_at, close_s = None, None
            for line in child_process.stdout:
                if line.startswith("CLOSE "):
                    closed_at = float(line.split()[1])
                elif line.startswith("CLOSED "):
                    close_s = float(line.split()[1])
            code = child_process.wait()
        exited_at = time.time()
        if code != 0 or closed_at is None or close_s is None:
            last = (errors.read_text().strip().splitlines() or ["no output"])[-1]
            raise RuntimeError(f"{phase}: the app exited with {code}: {last}")
    return close_s, exited_at - closed_at


def run(quick: bool = False, rounds: int = 3) -> list[Figure]:
    """Each phase `rounds` times (once with --quick); the medians."""
    rounds = 1 if quick else rounds
    figures = []
    for phase in PHASES:
        times = [measure(phase, quick) for _ in range(rounds)]
        close_s, exit_s = median_of([t[0] for t in times]), median_of([t[1] for t in times])
        print(f"{phase}: {close_s:.2f} / {exit_s:.2f} s", file=sys.stderr)
        figures.append(
            Figure(
                "close",
                f"closing while {phase}: close() / to exit (s)",
                f"{close_s:.2f} / {exit_s:.2f}",
                "<= 1 s",
            )
        )
    return figures


if __name__ == "__main__":
    if os.environ.get(PHASE_ENV):
        child(os.environ[PHASE_ENV], "--quick" in sys.argv)
    else:
        run_benchmark(run)
