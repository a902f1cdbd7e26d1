"""Open the real app window, train until some epochs have ended, and save a screenshot.

    python tests/screenshot_app.py OUT.png [--model vae|gan] [--limit N] [--epochs N]
    python tests/screenshot_app.py OUT.png --open RUN_DIR --tab explore [--pair 6,6]
    python tests/screenshot_app.py OUT.png --open VAE_RUN --open GAN_RUN --tab evaluate

Run it under a real X server (xvfb-run) to see what a person sees; tests/test_screenshot.py
does that in CI. The window uses throw-away settings and run folders.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fmgen_gui.main_window import MainWindow
from trainer.events import EpochEnded, RunFailed


def wait_until(app: QApplication, done, timeout_s: float) -> bool:
    """Process events until `done()` or the timeout."""
    deadline = time.monotonic() + timeout_s
    while not done() and time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.01)
    return done()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("out", type=Path)
    parser.add_argument("--model", default="vae")
    parser.add_argument("--limit", type=int, default=2000)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--wait-epochs", type=int, default=2)
    parser.add_argument("--data-dir", default="")
    parser.add_argument("--timeout", type=float, default=240)
    parser.add_argument("--open", action="append", help="show run folders instead of training")
    parser.add_argument("--tab", default="train", choices=("train", "explore", "evaluate"))
    parser.add_argument("--pair", help="explorer preset: two class labels, e.g. 6,6 or 7,8")
    args = parser.parse_args()
    app = QApplication(["fmgen"])
    scratch = Path(tempfile.mkdtemp(prefix="fmgen-shot-"))
    settings = QSettings(str(scratch / "settings.ini"), QSettings.Format.IniFormat)
    window = MainWindow(settings=settings, runs_dir=scratch / "runs")
    window.resize(1280, 800)
    window.show()
    panel = window.training.config_panel
    panel.model.setCurrentIndex(panel.model.findData(args.model))
    panel.epochs.setValue(args.epochs)
    panel.use_limit.setChecked(True)
    panel.limit.setValue(args.limit)
    panel.data_dir.setText(args.data_dir)
    seen = []
    window.controller.event.connect(seen.append)
    if args.open:
        for folder in args.open:
            window.open_run(folder)
        ended = True
    else:
        window.training.start()
        ended = wait_until(
            app,
            lambda: (
                sum(isinstance(e, EpochEnded) for e in seen) >= args.wait_epochs
                or any(isinstance(e, RunFailed) for e in seen)
            ),
            args.timeout,
        )
    if args.tab == "explore":
        explorer = window.explorer
        window.tabs.setCurrentWidget(explorer)
        ended = ended and wait_until(app, lambda: explorer.interpolator is not None, args.timeout)
        if args.pair:
            first, second = (int(k) for k in args.pair.split(","))
            explorer.picking.pick_random_pair(first, second)
            explorer.view.set_t(0.35)
    if args.tab == "evaluate":
        pane = window.report
        window.tabs.setCurrentWidget(pane)
        pane.samples.setValue(2000)
        pane.iwae_k.setValue(5)
        pane.evaluate()
        ended = ended and wait_until(app, lambda: pane.evaluation is not None, args.timeout)
    wait_until(app, lambda: False, 0.5)  # let the coalesced redraws land
    args.out.parent.mkdir(parents=True, exist_ok=True)
    window.grab().save(str(args.out))
    failures = [e.message for e in seen if isinstance(e, RunFailed)]
    window.close()
    print(f"screenshot: {args.out} ({len(seen)} events, epochs reached: {ended})")
    if failures:
        print("run failed:", failures[0], file=sys.stderr)
    return 0 if ended and not failures else 1


if __name__ == "__main__":
    sys.exit(main())
