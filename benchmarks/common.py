"""Shared helpers of the benchmarks: the machine's description, timing and result rows."""

from __future__ import annotations

import argparse
import json
import platform
import resource
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TypeVar

import torch

from trainer.config.device import cpu_count, cpu_model

T = TypeVar("T")


@dataclass(frozen=True)
class Figure:
    """One measured figure, with its target where the issue set one."""

    benchmark: str
    what: str
    value: str
    target: str = ""


def peak_resident_mb() -> float:
    """This process's peak resident memory (MB) since it started its program.

    Linux's VmHWM, the high-water mark of the process's own memory map, which exec replaces.
    Not getrusage's ru_maxrss: a child keeps the maximum across fork and exec, so a job started
    from a benchmark that had loaded torch and trained a run reported the parent's memory.
    (ru_maxrss remains the answer where /proc is missing.)
    """
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def machine() -> str:
    """CPU, cores, torch version and GPU (if any) of this machine."""
    gpu = torch.cuda.get_device_name(0) if torch.cuda.is_available() else "no GPU"
    return (
        f"{cpu_model()}, {cpu_count()} usable cores, torch {torch.__version__} "
        f"({torch.get_num_threads()} threads), Python {platform.python_version()}, {gpu}"
    )


def rate(step: Callable[[], int], seconds: float, warmup: int = 3) -> float:
    """Items per second of `step` (which returns how many items it did) over `seconds`."""
    for _ in range(warmup):
        step()
    done, start = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < seconds:
        done += step()
    return done / elapsed


def median_of(rounds: list[float]) -> float:
    """The median, robust to one disturbed round on a shared machine."""
    return statistics.median(rounds)


def round_order(names: Sequence[str], round_: int) -> list[str]:
    """The order of `names` in round `round_`: rotated by one a round, so each goes first in
    turn and none always meets the after-effects (heat, caches, a neighbour's load) of another."""
    shift = round_ % len(names)
    return [*names[shift:], *names[:shift]]


def alternate_rounds(measures: dict[str, Callable[[], T]], rounds: int) -> dict[str, list[T]]:
    """Each measure's result in every round, the measures taken in `round_order` each round."""
    results: dict[str, list[T]] = {name: [] for name in measures}
    for round_ in range(rounds):
        for name in round_order(list(measures), round_):
            results[name].append(measures[name]())
    return results


def spread(values: Sequence[float], digits: int = 0, unit: str = "") -> str:
    """The median with the range beside it, e.g. '2711 (2613-2790, 3 runs)'."""
    low, high = min(values), max(values)
    return (
        f"{median_of(list(values)):.{digits}f}{unit} "
        f"({low:.{digits}f}-{high:.{digits}f}{unit}, {len(values)} runs)"
    )


def print_figures(figures: list[Figure]) -> None:
    """Print figures as aligned lines."""
    for f in figures:
        target = f"  (target {f.target})" if f.target else ""
        print(f"{f.benchmark:>18} | {f.what:<52} {f.value}{target}", flush=True)


def benchmark_parser(rounds: int | None = None) -> argparse.ArgumentParser:
    """The options every benchmark has: --quick for a short run, --json for run_all; with a
    default number of `rounds`, also --rounds (of alternating measurements)."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="shorter, rougher figures")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    if rounds is not None:
        parser.add_argument(
            "--rounds", type=int, default=rounds, help=f"alternating rounds (default {rounds})"
        )
    return parser


def report(figures: list[Figure], as_json: bool) -> None:
    """Print the figures as JSON (for run_all), or as lines under the machine's description."""
    if as_json:
        print(json.dumps([asdict(f) for f in figures]))
    else:
        print(machine())
        print_figures(figures)


def run_benchmark(run: Callable[[bool], list[Figure]]) -> None:
    """The command line of a benchmark with no options of its own."""
    args = benchmark_parser().parse_args()
    report(run(args.quick), args.json)


def run_rounds_benchmark(run: Callable[[bool, int], list[Figure]], rounds: int) -> None:
    """The command line of a benchmark that alternates its contestants over --rounds."""
    args = benchmark_parser(rounds).parse_args()
    if args.rounds < 2:
        raise SystemExit("--rounds must be at least 2: each contestant goes first once")
    report(run(args.quick, args.rounds), args.json)
