"""RunClock: a run's training time, the wall-clock seconds it has trained over all sessions."""

from __future__ import annotations

import time


class RunClock:
    """Counts from this session's start, pauses left out, on top of the earlier sessions' time.

    What the app's Train tab shows as the run's training time: the checkpoint keeps it, so a
    resumed run's clock goes on from where the stopped one was (it went back by the time that
    evaluations and grids took when it was rebuilt from the epochs' step times alone).
    """

    def __init__(self, before: float | None) -> None:
        self.before = before  # None: an older checkpoint that did not keep it
        self.started = time.perf_counter()
        self.paused_at: float | None = None
        self.paused = 0.0

    def start(self) -> None:
        """The session's training begins now (setup before it is not training time)."""
        self.started, self.paused = time.perf_counter(), 0.0

    def pause(self) -> None:
        """Stop counting until `go_on`."""
        self.paused_at = time.perf_counter()

    def go_on(self) -> float:
        """Count again; returns the seconds the pause lasted."""
        lasted = time.perf_counter() - self.paused_at if self.paused_at is not None else 0.0
        self.paused += lasted
        self.paused_at = None
        return lasted

    def seconds(self) -> float | None:
        """The run's training time so far; None when its earlier sessions' time is unknown."""
        if self.before is None:
            return None
        return self.before + time.perf_counter() - self.started - self.paused
