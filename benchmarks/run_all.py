"""`make bench`: every benchmark, each in its own process, into one markdown table.

    python benchmarks/run_all.py [--quick] [--only throughput,close_latency] [--note "..."]

Writes benchmarks/results/<date>-<short commit>[-quick][-part].md (and prints it): the raw
table with the commit it measured, the machine, the load average before and after, and the
command (-part: --only left some benchmarks out).
Commit that file: docs/performance.md quotes figures only from a committed results file, by name.
Ratios, not absolute times, are the claims: absolute figures depend on the machine.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
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


def git(*args: str) -> str:
    """The output of a git command in this checkout ('' when git cannot tell)."""
    done = subprocess.run(["git", *args], capture_output=True, text=True, cwd=ROOT)
    return done.stdout.strip() if done.returncode == 0 else ""


def load_average() -> str:
    """The 1, 5 and 15 minute load averages, with the core count to read them against."""
    return ", ".join(f"{load:.2f}" for load in os.getloadavg()) + f" ({os.cpu_count()} CPUs)"


def results_path(commit: str, quick: bool, part: bool) -> Path:
    """benchmarks/results/<date>-<short commit>[-quick][-part].md (-part: not every benchmark)."""
    name = f"{time.strftime('%Y-%m-%d')}-{commit[:8] or 'unknown'}{'-quick' if quick else ''}"
    name += "-part" if part else ""
    return ROOT / "benchmarks" / "results" / f"{name}.md"


def state(commit: str) -> str:
    """The commit, and whether the checkout differs from it (checked before the run)."""
    dirty = git("status", "--porcelain", "--untracked-files=no")
    return f"{commit or 'unknown'}{' (with uncommitted changes)' if dirty else ''}"


def header(args: argparse.Namespace, started: dict[str, str], seconds: list[str]) -> str:
    """What the table measured, where, under what load, and how to repeat it."""
    lines = [
        f"# fmgen benchmarks{' (quick: shorter, rougher figures)' if args.quick else ''}",
        "",
        *([f"**{args.note}**", ""] if args.note else []),
        f"- Commit: {started['commit']}",
        f"- Started: {started['date']}",
        f"- Machine: {machine()}",
        f"- Load average before: {started['load']}; after: {load_average()}",
        f"- Command: `{shlex.join(['python', *sys.argv])}`",
        f"- Seconds per benchmark: {', '.join(seconds)}",
    ]
    return "\n".join(lines)


def main() -> int:
    """Run all benchmarks and write the table."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="shorter runs, rougher figures")
    parser.add_argument("--note", default="", help="a label for the file, e.g. 'under load'")
    parser.add_argument(
        "--only", default=",".join(BENCHMARKS), help="which benchmarks, comma-separated (all)"
    )
    args = parser.parse_args()
    chosen = args.only.split(",")
    if unknown := sorted(set(chosen) - set(BENCHMARKS)):
        parser.error(f"no benchmark {', '.join(unknown)}; there are {', '.join(BENCHMARKS)}")
    commit = git("rev-parse", "HEAD")
    started = {
        "commit": state(commit),
        "date": time.strftime("%Y-%m-%d %H:%M %Z"),
        "load": load_average(),
    }
    figures: list[Figure] = []
    seconds: list[str] = []
    for name in chosen:
        print(f"running {name}...", flush=True)
        found, took = run_one(name, args.quick)
        figures += found
        seconds.append(f"{name} {took:.0f}")
        print(f"  {name}: {took:.0f} s", flush=True)
    report = f"{header(args, started, seconds)}\n\n{table(figures)}\n"
    out = results_path(commit, args.quick, part=set(chosen) != set(BENCHMARKS))
    out.parent.mkdir(exist_ok=True)
    out.write_text(report)
    print(report)
    print(f"written to {out.relative_to(ROOT)}: commit it")
    return 1 if any(f.what == "FAILED" for f in figures) else 0


if __name__ == "__main__":
    sys.exit(main())
