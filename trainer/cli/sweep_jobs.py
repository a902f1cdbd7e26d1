"""Sweeps: one fmgen-train per point of a settings grid, run by submitit (local or SLURM).

submitit (used on university clusters) submits the same job function to SLURM or, with its
local executor, to subprocesses of this machine, so a sweep tested here runs unchanged on a
cluster. Its local executor starts every submitted job at once; two CPU trainings on two cores
slow each other several-fold, so `run_sweep` keeps at most `max_parallel` jobs in flight.
"""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from trainer.cli import train as train_cli
from trainer.common.errors import FmgenError
from trainer.common.files import atomic_write_text
from trainer.runs.index import SWEEP_FILE
from trainer.runs.status import read_status

POLL_S = 1.0


@dataclass(frozen=True)
class SweepPoint:
    """One grid point: its folder name and the fmgen-train options that differ."""

    name: str
    options: tuple[tuple[str, str], ...]  # (option name as on the CLI, value)

    def argv(self) -> list[str]:
        """The point's own options, e.g. ['--beta', '0.5']."""
        return [arg for option, value in self.options for arg in (f"--{option}", value)]


@dataclass
class PointResult:
    """What happened to one point."""

    name: str
    options: dict[str, str]
    run_dir: str
    state: str  # finished, stopped, failed, skipped
    message: str = ""


@dataclass
class SweepResult:
    """sweep.json: the grid, the shared options and every point's outcome."""

    model: str
    grid: dict[str, list[str]]
    train_args: list[str]
    executor: str
    points: list[PointResult] = field(default_factory=list)


def parse_grid(items: Sequence[str]) -> dict[str, list[str]]:
    """['beta=0.5,1', 'latent-dim=2,16'] -> {'beta': ['0.5', '1'], 'latent-dim': ['2', '16']}."""
    grid: dict[str, list[str]] = {}
    for item in items:
        option, _, values = item.partition("=")
        option = option.strip().lstrip("-")
        choices = [v.strip() for v in values.split(",") if v.strip()]
        if not option or not choices:
            raise FmgenError(f"--grid {item!r}: write it as OPTION=V1,V2,... (e.g. beta=0.5,1,2)")
        if option in grid:
            raise FmgenError(f"--grid names {option!r} twice")
        grid[option] = choices
    if not grid:
        raise FmgenError("a sweep needs at least one --grid OPTION=V1,V2,...")
    return grid


def expand(grid: dict[str, list[str]]) -> list[SweepPoint]:
    """Every combination of the grid's values, named after them (stable across re-runs)."""
    options = list(grid)
    points = []
    for values in itertools.product(*(grid[o] for o in options)):
        pairs = tuple(zip(options, values, strict=True))
        name = "_".join(f"{o}={v}" for o, v in pairs).replace("/", "-")
        points.append(SweepPoint(name, pairs))
    return points


def point_command(point: SweepPoint, model: str, train_args: Sequence[str], sweep_dir: Path):
    """The fmgen-train arguments of `point`, and what they do: 'skip', 'resume' or 'start'."""
    run_dir = sweep_dir / point.name
    status = read_status(run_dir)
    if status is not None and status.state == "finished":
        return None, "skip"
    if (run_dir / "checkpoint.pt").is_file():
        # Resuming keeps the checkpoint's settings; only options a resume may change pass on.
        return ["--resume", str(run_dir), *_resumable(train_args)], "resume"
    args = ["--model", model, *train_args, *point.argv()]
    return [*args, "--out", str(sweep_dir), "--run-name", point.name], "start"


def _resumable(train_args: Sequence[str]) -> list[str]:
    parsed = train_cli.build_parser().parse_args(list(train_args))
    kept = []
    for name in ("epochs", "device", "log_every", "data_dir"):
        if getattr(parsed, name) is not None:
            kept += ["--" + name.replace("_", "-"), str(getattr(parsed, name))]
    return kept


def train_point(argv: list[str]) -> int:
    """The job: fmgen-train with `argv` (in the executor's process); returns its exit code.

    A refused argument ends fmgen-train in argparse's SystemExit (exit 2, the reason printed
    to the job's stderr); it is returned as the code, so the point fails with that reason.
    """
    try:
        return train_cli.main(argv)
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else 2


def make_executor(kind: str, folder: Path, slurm: dict[str, object]):
    """A submitit executor: 'local' (subprocesses here) or 'slurm' (with its options)."""
    import submitit

    if kind not in ("local", "slurm"):
        raise FmgenError(f"unknown executor {kind!r}: choose local or slurm")
    executor = submitit.AutoExecutor(folder=folder / ".submitit", cluster=kind)
    executor.update_parameters(**{k: v for k, v in slurm.items() if v is not None})
    return executor


def run_sweep(
    result: SweepResult,
    sweep_dir: Path,
    executor,
    max_parallel: int,
    report: Callable[[str], None] = print,
) -> SweepResult:
    """Run every point not finished yet, at most `max_parallel` at once; write sweep.json."""
    points = expand(result.grid)
    queue = []
    for point in points:
        argv, action = point_command(point, result.model, result.train_args, sweep_dir)
        if argv is None:
            result.points.append(_outcome(point, sweep_dir, "skipped", "finished earlier"))
        else:
            queue.append((point, argv, action))
    running: list[tuple[SweepPoint, object]] = []
    while queue or running:
        while queue and len(running) < max_parallel:
            point, argv, action = queue.pop(0)
            report(f"{action} {point.name}")
            running.append((point, executor.submit(train_point, argv)))
        time.sleep(POLL_S)
        for point, job in [entry for entry in running if entry[1].done()]:
            running.remove((point, job))
            result.points.append(_finished(point, job, sweep_dir))
            report(f"{result.points[-1].state} {point.name} {result.points[-1].message}".rstrip())
        write_sweep(result, sweep_dir)
    write_sweep(result, sweep_dir)
    return result


def _finished(point: SweepPoint, job, sweep_dir: Path) -> PointResult:
    try:
        code = job.result()
    except Exception as exc:  # the job's process died or raised: say what it printed
        return _outcome(point, sweep_dir, "failed", str(exc).strip().splitlines()[-1][:500])
    status = read_status(sweep_dir / point.name)
    if code == 0 and status is not None:
        return _outcome(point, sweep_dir, status.state, status.message)
    message = status.message if status else _last_error(job)
    return _outcome(point, sweep_dir, "failed", message or f"fmgen-train exited with {code}")


def _last_error(job) -> str:
    lines = [line for line in (job.stderr() or "").splitlines() if "error" in line.lower()]
    return lines[-1].strip() if lines else ""


def _outcome(point: SweepPoint, sweep_dir: Path, state: str, message: str) -> PointResult:
    run_dir = str(sweep_dir / point.name)
    return PointResult(point.name, dict(point.options), run_dir, state, message)


def write_sweep(result: SweepResult, sweep_dir: Path) -> Path:
    """Write sweep.json (the index the Runs view groups a sweep by)."""
    path = sweep_dir / SWEEP_FILE
    atomic_write_text(path, json.dumps(asdict(result), indent=1))
    return path
