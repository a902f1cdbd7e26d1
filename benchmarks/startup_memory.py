"""Start-up time of `fmgen` to its first painted frame, and the peak memory of its long jobs.

Start-up: the real entry point (`python -m fmgen_gui`, the same `main()` as the `fmgen`
command, display probe included) on a virtual X screen (Xvfb, as a user without a desktop
would run it; the child gets DISPLAY, never QT_QPA_PLATFORM=offscreen), with
FMGEN_QUIT_AFTER_FIRST_PAINT set so the app prints the time of its first painted frame and
quits. Fresh settings and runs folder, so it is a first start.

Peak memory (resident, whole process): each job in a fresh offscreen process of its own:
one VAE training epoch in the window, Explore (encoding the test set, and the classifier the
explorer asks for) and Evaluate (the report's evaluation with its defaults: the IWAE bound,
FID and friends). The run they load is made beforehand in this process. With --quick the
epoch is on 6,000 images, the classifier is a cached untrained stand-in (no training, same
size) and the evaluation uses 1,000 samples with k = 5.

    python benchmarks/startup_memory.py [--quick]
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # for the memory children only
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.close_latency import prepare, spin, start_phase  # noqa: E402
from benchmarks.common import Figure, peak_resident_mb, run_benchmark, spread  # noqa: E402
from fmgen_gui.app import PROBE  # noqa: E402
from fmgen_gui.first_paint import QUIT_AFTER_FIRST_PAINT, painted_at  # noqa: E402

JOB_ENV = "FMGEN_BENCH_MEMORY_JOB"
JOBS = {
    "train": "one VAE training epoch in the window",
    "explore": "Explore: encoding the test set + the classifier",
    "evaluate": "Evaluate: the evaluation (IWAE, FID, ...)",
}


@contextlib.contextmanager
def xvfb_display() -> Iterator[str | None]:
    """A fresh Xvfb screen (its DISPLAY), or None when Xvfb is not installed."""
    if shutil.which("Xvfb") is None:
        yield None
        return
    read, write = os.pipe()
    server = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write), "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
        pass_fds=(write,),
        stderr=subprocess.DEVNULL,
    )
    os.close(write)
    with os.fdopen(read) as announced:  # Xvfb writes its display number once it is ready
        number = announced.readline().strip()
    try:
        yield f":{number}"
    finally:
        server.terminate()
        server.wait(timeout=10)


def fmgen_env(display: str, scratch: Path) -> dict[str, str]:
    """A user's environment on `display` (no offscreen platform) with fresh settings."""
    env = {k: v for k, v in os.environ.items() if k not in ("QT_QPA_PLATFORM", "WAYLAND_DISPLAY")}
    env.update(
        DISPLAY=display,
        XDG_CONFIG_HOME=str(scratch / "config"),
        FMGEN_RUNS_DIR=str(scratch / "runs"),
    )
    return env


def startup_seconds(display: str, scratch: Path) -> float:
    """From starting `fmgen` to its first painted frame on `display`."""
    env = {**fmgen_env(display, scratch), QUIT_AFTER_FIRST_PAINT: "1"}
    started = time.time()
    done = subprocess.run(
        [sys.executable, "-m", "fmgen_gui"],
        env=env,
        cwd=scratch,
        capture_output=True,
        text=True,
        timeout=120,
    )
    painted = painted_at(done.stdout)
    if done.returncode != 0 or painted is None:
        raise RuntimeError(f"fmgen did not paint: {(done.stderr or done.stdout).strip()[-200:]}")
    return painted - started


def probe_seconds(display: str, scratch: Path) -> float:
    """How long `fmgen`'s display probe (a child process starting Qt) takes on its own."""
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-c", PROBE], env=fmgen_env(display, scratch), check=True, timeout=60
    )
    return time.perf_counter() - started


def startup_figures() -> list[Figure]:
    """Medians of 3 start-ups and of 3 display probes, or why none could be measured."""
    what = "fmgen start to first painted frame, Xvfb (s, median of 3)"
    with xvfb_display() as display, tempfile.TemporaryDirectory() as scratch:
        if display is None:
            return [Figure("startup", what, "not measured: Xvfb is not installed", "<= 3 s")]
        starts = [startup_seconds(display, Path(scratch)) for _ in range(3)]
        probes = [probe_seconds(display, Path(scratch)) for _ in range(3)]
    return [
        Figure("startup", what, spread(starts, 2), "<= 3 s"),
        Figure("startup", "of which the display probe, run alone (s)", spread(probes, 2)),
    ]


def child(job: str, quick: bool, run_dir: Path) -> None:
    """Do `job` in the offscreen window, then print this process's peak memory (MB)."""
    from PySide6.QtWidgets import QApplication

    from benchmarks.gui_responsiveness import WindowBench

    bench = WindowBench("vae", 6000 if quick else None)
    app, window = QApplication.instance(), bench.window
    if job == "train":
        bench.epoch(None)
    else:
        done = job_done(window, job)
        window.open_run(run_dir)
        start_phase(
            window, "encoding the test set" if job == "explore" else "evaluating", run_dir, quick
        )
        spin(app, done, 3600)
        if not done():
            raise RuntimeError(f"{job} did not finish")
    window.close()
    print(f"PEAK {peak_resident_mb():.1f}", flush=True)


def job_done(window, job: str) -> Callable[[], bool]:
    """Whether `job` has delivered its result to the window."""
    if job == "explore":
        return lambda: bool(window.explorer.loaded_text) and window.classifier.model is not None
    return lambda: window.report.evaluation is not None


@contextlib.contextmanager
def environment(**values: str) -> Iterator[None]:
    """os.environ with `values` set, restored afterwards."""
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def peak_memory_mb(job: str, quick: bool) -> float:
    """Peak resident memory (MB) of a fresh process that does `job`."""
    with tempfile.TemporaryDirectory(prefix="fmgen-memory-") as scratch:
        run_dir = Path(scratch, "no-run")
        if job != "train":
            with environment(FMGEN_CACHE_DIR=scratch):  # the run; a stand-in classifier if quick
                run_dir = prepare(quick, stand_in_classifier=quick)
        env = {**os.environ, JOB_ENV: job, "FMGEN_CACHE_DIR": scratch, "TMPDIR": scratch}
        args = [sys.executable, __file__, str(run_dir), *(["--quick"] if quick else [])]
        out = subprocess.run(args, capture_output=True, text=True, env=env, cwd=ROOT, timeout=3600)
        shutil.rmtree(run_dir, ignore_errors=True)
    peaks = [line for line in out.stdout.splitlines() if line.startswith("PEAK ")]
    if out.returncode != 0 or not peaks:
        raise RuntimeError(f"{job}: {(out.stderr or out.stdout).strip()[-300:]}")
    return float(peaks[-1].split()[1])


def run(quick: bool = False) -> list[Figure]:
    """Start-up under Xvfb, then each job's peak memory."""
    figures = startup_figures()
    for job, what in JOBS.items():
        memory = peak_memory_mb(job, quick)
        figures.append(
            Figure("memory", f"peak resident memory, {what} (MB)", f"{memory:.0f}", "<= 1536 MB")
        )
    return figures


if __name__ == "__main__":
    if os.environ.get(JOB_ENV):
        child(os.environ[JOB_ENV], "--quick" in sys.argv, Path(sys.argv[1]))
    else:
        run_benchmark(run)
