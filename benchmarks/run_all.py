"""`make bench`: every benchmark, each in its own process, into one markdown table.

    python benchmarks/run_all.py [--quick]

Writes bench-results/results.md (and prints it). Ratios, not absolute times, are the claims:
absolute figures depend on the machine, which the table names.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.common import Figure, machine  # noqa: E402

BENCHMARKS = (
    "throughput",
    "quality_at_time",
    "precision",
    "gui_responsiveness",
    "scrub_latency",
    "close_latency",
    "startup_memory",
    "sampling_cost",
)


def run_one(name: str, quick: bool) -> tuple[list[Figure], float]:
    """Run benchmarks/<name>.py --json; its figures and how long it took."""
    started = time.perf_counter()
    args = [sys.executable, str(ROOT / "benchmarks" / f"{name}.py"), "--json"]
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONWARNINGS": "ignore"}
    result = subprocess.run(
        args + (["--quick"] if quick else []), capture_output=True, text=True, cwd=ROOT, env=env
    )
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        tail = (result.stderr or result.stdout).strip().splitlines()[-1:] or ["no output"]
        return [Figure(name, "FAILED", tail[0][:120])], seconds
    rows = json.loads(result.stdout.strip().splitlines()[-1])
    return [Figure(**row) for row in rows], seconds


def table(figures: list[Figure]) -> str:
    """Markdown rows of the figures."""
    lines = ["| benchmark | figure | measured | target |", "| --- | --- | --- | --- |"]
    lines += [f"| {f.benchmark} | {f.what} | {f.value} | {f.target} |" for f in figures]
    return "\n".join(lines)


def main() -> int:
    """Run all benchmarks and write the table."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="shorter runs, rougher figures")
    args = parser.parse_args()
    figures: list[Figure] = []
    for name in BENCHMARKS:
        print(f"running {name}...", flush=True)
        found, seconds = run_one(name, args.quick)
        figures += found
        print(f"  {name}: {seconds:.0f} s", flush=True)
    report = (
        f"# fmgen benchmarks{' (quick)' if args.quick else ''}\n\n"
        f"Machine: {machine()}. Date: {time.strftime('%Y-%m-%d')}.\n\n{table(figures)}\n"
    )
    out = ROOT / "bench-results" / "results.md"
    out.parent.mkdir(exist_ok=True)
    out.write_text(report)
    print(report)
    print(f"written to {out}")
    return 1 if any(f.what == "FAILED" for f in figures) else 0


if __name__ == "__main__":
    sys.exit(main())
