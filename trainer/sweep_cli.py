"""fmgen-sweep: train one run per point of a settings grid, locally or on a SLURM cluster."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from trainer.cli import build_parser as train_parser
from trainer.cli import settings_from_args
from trainer.config import default_config
from trainer.errors import ConfigError, FmgenError
from trainer.files import default_runs_dir
from trainer.registry import model_names
from trainer.sweep import SweepResult, expand, make_executor, parse_grid, run_sweep


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
    parser.add_argument("--out", type=Path, help="the sweep's folder (one run folder per point)")
    parser.add_argument("--executor", choices=("local", "slurm"), default="local")
    parser.add_argument(
        "--max-parallel",
        type=int,
        help="points trained at once (default: 1 per GPU here, else 1; on SLURM all)",
    )
    slurm = parser.add_argument_group("SLURM (with --executor slurm)")
    slurm.add_argument("--slurm-partition")
    slurm.add_argument("--gpus-per-job", type=int)
    slurm.add_argument("--time-limit", type=int, metavar="MINUTES")
    return parser


def default_parallel(executor: str, points: int) -> int:
    """One job per GPU here (one at all without a GPU: CPU trainings slow each other down)."""
    if executor == "slurm":
        return points
    import torch

    return max(1, torch.cuda.device_count())


def main(argv: Sequence[str] | None = None) -> int:
    """Run fmgen-sweep; returns the exit code (1 if any point failed)."""
    args, train_args = build_parser().parse_known_args(argv)
    try:
        grid = parse_grid(args.grid)
        _check_train_args(args.model, grid, train_args)
        sweep_dir = args.out or default_runs_dir() / f"sweep-{args.model}"
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
    """Refuse, before anything runs, settings fmgen-train would refuse at some point."""
    for point in expand(grid):
        try:
            parsed = train_parser().parse_args(["--model", model, *train_args, *point.argv()])
        except SystemExit:  # argparse has printed what it did not understand
            raise FmgenError(f"point {point.name}: fmgen-train refuses these options") from None
        try:
            default_config(model, **settings_from_args(parsed))
        except ConfigError as exc:
            raise FmgenError(f"point {point.name}: {exc}") from None
