"""Peak resident memory of the exercise's whole journey in one app process (issue 22).

The journey a student takes in one session, in one offscreen window: open a VAE, a GAN and a
DDPM run (each loaded in the Train tab and encoded in Explore), evaluate the three together on
the Evaluate tab, and export the report. The number is the process's peak resident memory
(Linux's VmHWM: see `peak_resident_mb`), which is what the issue's 2 GB target is about (the
first trial of issue 22 saw 3.6 GB with these three models loaded after an evaluation).
Resident memory does not depend on the machine's load, so it can be measured on a shared
machine.

The runs are made beforehand in this process: one epoch each on `--limit` training images
(their weights' size is the full model's; training longer does not grow them). The evaluation
uses the Evaluate tab's defaults, except `--samples` (the DDPM's samples cost 50 network passes
each on the CPU). With --quick: 500 training images per run, 200 samples, and a cached
untrained stand-in classifier (same size as the real one, not trained).

    python benchmarks/journey_memory.py [--quick] [--samples N]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.close_latency import cache_stand_in_classifier, spin, train_run  # noqa: E402
from benchmarks.common import Figure, machine, peak_resident_mb  # noqa: E402
from benchmarks.startup_memory import environment  # noqa: E402

MODELS = ("vae", "gan", "ddpm")
TARGET_MB = 2048
CHILD_ENV = "FMGEN_BENCH_JOURNEY"


def make_runs(limit: int, stand_in_classifier: bool, folder: Path) -> list[Path]:
    """One one-epoch run of each model of the journey (and a stand-in classifier if asked)."""
    if stand_in_classifier:
        cache_stand_in_classifier()
    return [train_run(model, limit, folder / model) for model in MODELS]


def journey(runs: list[Path], samples: int, export_to: Path) -> None:
    """The journey in an offscreen window; prints each stage's peak so far and the last."""
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from fmgen_gui.main_window import MainWindow

    app = QApplication.instance() or QApplication(["fmgen-bench"])
    settings = QSettings(str(export_to / "s.ini"), QSettings.Format.IniFormat)
    window = MainWindow(settings=settings, runs_dir=export_to / "runs")
    window.resize(1280, 800)
    window.show()
    explorer = window.explorer
    for run_dir, model in zip(runs, MODELS, strict=True):
        window.open_run(run_dir)
        window.tabs.setCurrentWidget(explorer)
        # Explore keeps the model it shows: choose this one, as a user would, and wait for its
        # load (each model has its own entry in loaded_text once its test set is encoded).
        explorer.model_choice.setCurrentIndex(explorer.model_choice.findData(model))
        spin(app, lambda model=model: model in explorer.loaded_text, 1800)
        if model not in explorer.loaded_text:
            raise RuntimeError(f"Explore did not load the {model} run")
        peak(f"opened and explored {run_dir.name}")
    window.tabs.setCurrentWidget(window.report)
    if samples < window.report.samples.minimum():
        raise ValueError(f"the Evaluate tab takes at least {window.report.samples.minimum()}")
    window.report.samples.setValue(samples)
    window.report.evaluate()
    spin(app, lambda: window.report.evaluation is not None, 3 * 3600)
    if window.report.evaluation is None:
        raise RuntimeError("the evaluation did not finish")
    peak(f"evaluated {len(window.report.evaluation.runs)} runs")
    if window.report.export(export_to / "report") is None:
        raise RuntimeError("the report was not written")
    peak("exported the report")
    window.close()


def peak(stage: str) -> None:
    """Print this process's peak resident memory so far (MB) after `stage`."""
    print(f"PEAK {peak_resident_mb():.0f} {stage}", flush=True)


def measure(quick: bool, samples: int) -> list[tuple[float, str]]:
    """(peak MB, stage) after each stage of a fresh child process's journey, printed as they
    come (an evaluation on a loaded machine takes long)."""
    stages = []
    with tempfile.TemporaryDirectory(prefix="fmgen-journey-") as scratch:
        with environment(FMGEN_CACHE_DIR=scratch):
            runs = make_runs(500 if quick else 2000, quick, Path(scratch, "made"))
        env = {**os.environ, CHILD_ENV: "1", "FMGEN_CACHE_DIR": scratch, "TMPDIR": scratch}
        args = [sys.executable, __file__, scratch, str(samples), *map(str, runs)]
        with subprocess.Popen(args, stdout=subprocess.PIPE, text=True, env=env, cwd=ROOT) as child:
            for line in child.stdout:
                if line.startswith("PEAK "):
                    _, mb, stage = line.split(maxsplit=2)
                    stages.append((float(mb), stage.strip()))
                    print(f"peak resident memory after: {stage.strip()}: {mb} MB", flush=True)
    if child.returncode != 0 or len(stages) != len(MODELS) + 2:
        raise RuntimeError(f"the journey failed (exit {child.returncode}); see its stderr above")
    return stages


def main() -> int:
    """Measure and print the figures with the machine they were measured on."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small runs, a stand-in classifier")
    parser.add_argument("--samples", type=int, default=None, help="evaluation samples")
    args = parser.parse_args()
    samples = args.samples or (200 if args.quick else 1000)
    print(f"# journey_memory {'--quick ' if args.quick else ''}--samples {samples}")
    print(f"machine: {machine()}")
    stages = measure(args.quick, samples)
    last = stages[-1][0]
    figure = Figure(
        "journey_memory",
        "peak resident memory, the whole journey (MB)",
        f"{last:.0f}",
        f"<= {TARGET_MB} MB",
    )
    verdict = "met" if last <= TARGET_MB else "missed"
    print(f"{figure.what}: {figure.value} (target {figure.target}: {verdict})")
    return 0


if __name__ == "__main__":
    if os.environ.get(CHILD_ENV):
        journey([Path(p) for p in sys.argv[3:]], int(sys.argv[2]), Path(sys.argv[1]))
    else:
        sys.exit(main())
