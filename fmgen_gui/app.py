"""`fmgen`: open the desktop app, or say clearly why no window can open and what to do."""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import NoReturn

import trainer
from trainer.cli.arguments import run_folder, run_path

XCB_PACKAGES = (
    "libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-randr0 "
    "libxcb-render-util0 libxcb-shape0 libxcb-xinerama0 libxcb-xkb1 libxkbcommon-x11-0 "
    "libegl1 libfontconfig1"
)
PROBE = "from PySide6.QtGui import QGuiApplication; QGuiApplication(['fmgen-probe'])"


def display_problem(env: dict[str, str] | None = None) -> str | None:
    """Why Qt cannot open a window here, or None when it can.

    Qt aborts the whole process when its platform plugin fails, so the check runs Qt in a
    child process first and turns a failure into a sentence.
    """
    env = dict(os.environ if env is None else env)
    platform = env.get("QT_QPA_PLATFORM", "")
    if not sys.platform.startswith("linux") or platform in ("offscreen", "minimal", "vnc"):
        return None
    if not platform and not env.get("DISPLAY") and not env.get("WAYLAND_DISPLAY"):
        return "no display: neither DISPLAY nor WAYLAND_DISPLAY is set"
    probe = subprocess.run(
        [sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, timeout=60
    )
    if probe.returncode == 0:
        return None
    if "could not connect to display" in probe.stderr:
        return f"the X display {env.get('DISPLAY', '')!r} cannot be reached"
    if "xcb" in probe.stderr:
        missing = re.search(r"(\S*xcb-cursor0\S*) is needed", probe.stderr)
        return "Qt's X11 (xcb) platform plugin cannot load" + (
            f": {missing[1]} is missing" if missing else " (a system library is missing)"
        )
    return f"Qt could not start: {probe.stderr.strip()[-300:]}"


def explain(problem: str) -> str:
    """The message for the person: what is wrong and the ways around it."""
    return (
        f"fmgen: cannot open a window: {problem}.\n"
        "Ways to go on:\n"
        f"  - install Qt's X11 libraries (Debian/Ubuntu): sudo apt-get install {XCB_PACKAGES}\n"
        "  - no screen? run it on a virtual one: xvfb-run -a fmgen   (package xvfb)\n"
        "  - train without a window: fmgen-train --model vae --epochs 10"
    )


def leave(code: int) -> NoReturn:
    """End the process once the window has closed, without Python's and Qt's teardown.

    By then closeEvent has synced the settings and every background job has stopped, and each
    file is written atomically, so the teardown would only free memory, which the OS does
    anyway. With torch loaded it took over a second on two cores: closing to exit took
    1.43-2.06 s, of which close() 0.03-0.44 s (benchmarks/results/2026-12-07-47213d2f-part.md;
    the target is <= 1 s).
    """
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def _openable(text: str) -> Path:
    """argparse type of the path to open: a run archive (.zip), else a run folder or checkpoint."""
    path = Path(text).expanduser()
    if path.suffix == ".zip":
        if not path.is_file():
            raise argparse.ArgumentTypeError(f"{text!r}: no such run archive")
        return path
    return run_path(text)


def build_parser() -> argparse.ArgumentParser:
    """The command line of fmgen."""
    parser = argparse.ArgumentParser(
        prog="fmgen",
        description="The fmgen desktop app: train, explore, evaluate and report on generative "
        "models of Fashion-MNIST.",
    )
    parser.add_argument("--version", action="version", version=f"fmgen {trainer.__version__}")
    parser.add_argument(
        "run",
        nargs="?",
        type=_openable,
        metavar="RUN",
        help="a run folder, checkpoint (.pt) or run archive (.zip) to open",
    )
    parser.add_argument(
        "--follow",
        type=run_folder,
        metavar="RUN_DIR",
        help="show a run another process is training, updated live",
    )
    return parser


def parse_args(argv: list[str]) -> argparse.Namespace:
    """fmgen's arguments, checked before any window opens: a refused one exits 2 (one line)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.run and args.follow:
        parser.error("open a run or --follow one, not both")
    return args


def main(argv: list[str] | None = None) -> int:
    """Open the app on a run folder, checkpoint or .zip (`--follow DIR`: follow it live)."""
    args = parse_args(sys.argv[1:] if argv is None else argv)
    problem = display_problem()
    if problem:
        print(explain(problem), file=sys.stderr)
        return 1
    from PySide6.QtWidgets import QApplication

    from fmgen_gui.assets import app_icon
    from fmgen_gui.first_paint import QUIT_AFTER_FIRST_PAINT, quit_after_first_paint
    from fmgen_gui.garbage import collect_garbage_on_gui_thread
    from fmgen_gui.main_window import MainWindow

    app = QApplication.instance() or QApplication(["fmgen"])
    app.setApplicationName("fmgen")
    app.setOrganizationName("fmgen")
    app.setDesktopFileName("fmgen")  # resources/fmgen.desktop: the shell's name and icon
    app.setWindowIcon(app_icon())
    _collector = collect_garbage_on_gui_thread()  # held until leave(): the only collector
    window = MainWindow()
    if os.environ.get(QUIT_AFTER_FIRST_PAINT):  # the start-up benchmark's stopwatch
        quit_after_first_paint(window, lambda: {"runs": window.runs.shown_states()})
    window.show()
    if args.follow:
        window.follow_run(args.follow)
    elif args.run:
        window.open_run(args.run)
    leave(app.exec())
