"""fmgen-sweep: train one run per point of a settings grid, locally or on a SLURM cluster."""

from __future__ import annotations

import argparse
import contextlib
import io
import sys
from collections.abc import Sequence

from trainer.cli.arguments import one_line, output_folder, whole_number, write_problem
from trainer.cli.sweep_jobs import SweepResult, expand, make_executor, parse_grid, run_sweep
from trainer.cli.train import build_parser as train_parser
from trainer.cli.train import name_options, plan_run
from trainer.common.errors import FmgenError
from trainer.common.files import default_runs_dir
from trainer.registry import model_names

MAX_PARALLEL = 1024
MAX_GPUS_PER_JOB = 64
MAX_TIME_LIMIT_MIN = 525_600


def build_parser() -> argparse.ArgumentParser:
    """fmgen-sweep's own options; every other option goes to each fmgen-train."""
    parser = argparse.ArgumentParser(
        prog="fmgen-sweep",
        description="Expand a grid of fmgen-train settings and train one run per point. "
        "Options not listed here (--epochs, --limit, --device, ...) go to every fmgen-train.",
        epilog="Example: fmgen-sweep --model vae --grid beta=0.5,1,2,4 --epochs 5 "
        "--out runs/beta-sweep",
    )
    parser.add_argument("--model", required=True, choices=model_names())
    parser.add_argument(
        "--grid",
        action="append",
        default=[],
        metavar="OPTION=V1,V2",
        help="an fmgen-train option and its values (repeat for a product of grids)",
    )
    parser.add_argument(
        "--out", type=output_folder, help="the sweep's folder (one run folder per point)"
    )
    parser.add_argument("--executor", choices=("local", "slurm"), default="local")
    parser.add_argument(
        "--max-parallel",
        type=whole_number(1, MAX_PARALLEL),
        help=f"points trained at once, 1..{MAX_PARALLEL} (default: 1 per GPU here, else 1; on "
        "SLURM all); the bound keeps a typo from starting thousands of processes",
    )
    slurm = parser.add_argument_group("SLURM (with --executor slurm)")
    slurm.add_argument("--slurm-partition")
    slurm.add_argument(
        "--gpus-per-job", type=whole_number(1, MAX_GPUS_PER_JOB), help=f"1..{MAX_GPUS_PER_JOB}"
    )
    slurm.add_argument(
        "--time-limit",
        type=whole_number(1, MAX_TIME_LIMIT_MIN),
        metavar="MINUTES",
        help=f"1..{MAX_TIME_LIMIT_MIN} (a year)",
    )
    return parser


def default_parallel(executor: str, points: int) -> int:
    """One job per GPU here (one at all without a GPU: CPU trainings slow each other down)."""
    if executor == "slurm":
        return points
    import torch

    return max(1, torch.cuda.device_count())


def parse_args(argv: Sequence[str] | None = None) -> tuple[argparse.Namespace, list[str]]:
    """fmgen-sweep's arguments and the ones for fmgen-train, checked before anything runs: a
    refused input (its own, or one any point's fmgen-train would refuse) exits 2 with one line."""
    parser = build_parser()
    args, train_args = parser.parse_known_args(argv)
    try:
        args.grid = parse_grid(args.grid)
        _check_train_args(args.model, args.grid, train_args)
    except FmgenError as exc:
        parser.error(one_line(exc))
    if args.out is None:  # the default is not parsed, so not checked, by argparse
        args.out = default_runs_dir() / f"sweep-{args.model}"
        problem = write_problem(args.out)
        if problem:
            parser.error(f"--out {args.out} (the default): {problem}; name another with --out")
    return args, train_args


def main(argv: Sequence[str] | None = None) -> int:
    """Run fmgen-sweep; returns the exit code (1 if any point failed)."""
    args, train_args = parse_args(argv)
    grid = args.grid
    try:
        sweep_dir = args.out
        sweep_dir.mkdir(parents=True, exist_ok=True)
        slurm = {
            "slurm_partition": args.slurm_partition,
            "gpus_per_node": args.gpus_per_job,
            "timeout_min": args.time_limit,
        }
        executor = make_executor(args.executor, sweep_dir, slurm)
        points = len(expand(grid))
        parallel = args.max_parallel or default_parallel(args.executor, points)
        result = SweepResult(args.model, grid, train_args, args.executor)
        print(f"sweep of {points} points into {sweep_dir}, {parallel} at a time", flush=True)
        run_sweep(result, sweep_dir, executor, parallel, lambda text: print(text, flush=True))
    except FmgenError as exc:
        print(f"fmgen-sweep: error: {exc}", file=sys.stderr)
        return 1
    failed = [p for p in result.points if p.state == "failed"]
    for point in failed:
        print(f"fmgen-sweep: point {point.name} failed: {point.message}", file=sys.stderr)
    print(
        f"{len(result.points) - len(failed)} of {points} points done; index: "
        f"{sweep_dir / 'sweep.json'}"
    )
    return 1 if failed else 0


def _check_train_args(model: str, grid: dict[str, list[str]], train_args: list[str]) -> None:
    """Refuse, before anything runs, settings fmgen-train would refuse at some point.

    The data folder is left to each point: a point whose data is missing fails on its own and
    the sweep goes on with the others.
    """
    for point in expand(grid):
        refusal = io.StringIO()
        try:
            with contextlib.redirect_stderr(refusal):  # said again below, on one line
                parsed = train_parser().parse_args(["--model", model, *train_args, *point.argv()])
        except SystemExit:
            said = refusal.getvalue().strip().splitlines()[-1:] or ["refused"]
            reason = said[0].removeprefix("fmgen-train: error: ")
            raise FmgenError(f"point {point.name}: fmgen-train: {reason}") from None
        try:
            plan_run(parsed)
        except FmgenError as exc:
            raise FmgenError(f"point {point.name}: {name_options(one_line(exc))}") from None
