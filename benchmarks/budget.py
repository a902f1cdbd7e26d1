"""A training budget read on the wall clock or on the training process's CPU clock.

On a machine shared with other work, wall-clock seconds say little: the same 30 minutes give a
run anything from all of its cores to a fraction of one. The process's CPU time (user + sys over
all of its threads, `getrusage(RUSAGE_SELF)`) divided by torch's thread count is what the run
actually got: "1,800 CPU seconds" with 2 threads is what a quiet 2-core machine gives in 30
minutes, however long the shared machine takes to deliver it.
"""

from __future__ import annotations

import resource
import threading
import time
from collections.abc import Callable

import torch

WALL, CPU = "wall", "cpu"


def process_cpu_seconds() -> float:
    """User + system CPU seconds this process has used so far, all of its threads together."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


class Budget:
    """Sets `stop` once `seconds` have passed on the chosen clock (WALL or CPU) since start().

    Both clocks are read all along (`wall()`, `cpu()`), so a run states both whichever one
    ended it. The CPU clock is divided by torch's thread count when it is read: the count the
    training set, not the one in force before it started.
    """

    def __init__(
        self, seconds: float, clock: str, stop: threading.Event, poll: float = 0.25
    ) -> None:
        if clock not in (WALL, CPU):
            raise ValueError(f"clock must be {WALL!r} or {CPU!r}, not {clock!r}")
        self.seconds, self.clock, self.stop, self.poll = seconds, clock, stop, poll
        self.done = threading.Event()
        self.watcher = threading.Thread(target=self._watch, daemon=True)
        self.wall_start = self.cpu_start = 0.0

    def wall(self) -> float:
        """Wall-clock seconds since start()."""
        return time.perf_counter() - self.wall_start

    def cpu(self) -> float:
        """The process's CPU seconds since start(), per torch thread."""
        return (process_cpu_seconds() - self.cpu_start) / torch.get_num_threads()

    def start(self) -> Budget:
        """Start both clocks and the watcher; returns self."""
        self.wall_start, self.cpu_start = time.perf_counter(), process_cpu_seconds()
        self.watcher.start()
        return self

    def finish(self) -> None:
        """End the watcher (the run has ended, by the budget or otherwise)."""
        self.done.set()
        self.watcher.join()

    def _watch(self) -> None:
        elapsed: Callable[[], float] = self.cpu if self.clock == CPU else self.wall
        while not self.done.wait(self.poll):
            if elapsed() >= self.seconds:
                self.stop.set()
                return

    def describe(self) -> str:
        """Both clocks, e.g. '1,800 CPU s per thread (2 threads), 4,210 s wall'."""
        return (
            f"{self.cpu():,.0f} CPU s per thread ({torch.get_num_threads()} threads), "
            f"{self.wall():,.0f} s wall"
        )
