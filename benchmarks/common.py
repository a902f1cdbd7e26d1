"""Shared helpers of the benchmarks: the machine's description, timing and result rows."""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass

import torch

from trainer.device import cpu_count


@dataclass(frozen=True)
class Figure:
    """One measured figure, with its target where the issue set one."""

    benchmark: str
    what: str
    value: str
    target: str = ""


def machine() -> str:
    """CPU, cores, torch version and GPU (if any) of this machine."""
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as info:
            cpu = next(line.split(":", 1)[1].strip() for line in info if "model name" in line)
    except (OSError, StopIteration):
        pass
    gpu = torch.cuda.get_device_name(0) if torch.cuda.is_available() else "no GPU"
    return (
        f"{cpu}, {cpu_count()} usable cores, torch {torch.__version__} "
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


def print_figures(figures: list[Figure]) -> None:
    """Print figures as aligned lines."""
    for f in figures:
        target = f"  (target {f.target})" if f.target else ""
        print(f"{f.benchmark:>18} | {f.what:<52} {f.value}{target}", flush=True)


def run_benchmark(run: Callable[[bool], list[Figure]]) -> None:
    """The command line of every benchmark: --quick for a short run, --json for run_all."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="shorter, rougher figures")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    figures = run(args.quick)
    if args.json:
        print(json.dumps([asdict(f) for f in figures]))
    else:
        print(machine())
        print_figures(figures)
