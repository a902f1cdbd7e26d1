"""The benchmarks' training budget: the wall clock or the training process's CPU clock."""

import argparse
import threading
import time

import pytest

from benchmarks.budget import CPU, WALL, Budget
from benchmarks.model_comparison import train_one


def spin_until(event: threading.Event, limit: float) -> None:
    """Keep this thread busy until `event` is set or `limit` wall seconds have passed."""
    ends = time.perf_counter() + limit
    while not event.is_set() and time.perf_counter() < ends:
        sum(range(1000))


def test_cpu_budget_counts_only_the_time_the_process_runs():
    wall_stop, cpu_stop = threading.Event(), threading.Event()
    wall = Budget(0.2, WALL, wall_stop, poll=0.01).start()
    cpu = Budget(0.2, CPU, cpu_stop, poll=0.01).start()
    time.sleep(0.5)  # wall time passes, the process idles: only the wall budget is spent
    assert wall_stop.is_set() and not cpu_stop.is_set()
    assert cpu.cpu() < 0.2 <= wall.wall()
    spin_until(cpu_stop, 20)  # now it computes: the CPU budget is spent too
    cpu.finish()
    wall.finish()
    assert cpu_stop.is_set() and cpu.cpu() >= 0.2


def test_budget_refuses_an_unknown_clock():
    with pytest.raises(ValueError, match="clock"):
        Budget(1, "sundial", threading.Event())


def test_a_cpu_budget_stops_a_real_training_run(tiny_data, tmp_path):
    args = argparse.Namespace(epochs=0, seconds=0, cpu_seconds=1.0, device="cpu", limit=None)
    run_dir, seconds, clocks = train_one("vae", tiny_data, tmp_path, args, lambda *a: None)
    # The run was asked for 10,000 epochs of 200 images: only the budget ends it this soon.
    assert clocks.cpu() >= 1.0 and len(seconds) < 10_000
    assert clocks.clock == CPU and (run_dir / "run.json").exists()
