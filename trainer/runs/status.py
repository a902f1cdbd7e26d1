"""run.json: a run folder says its own state (running, finished, stopped, failed) to any reader.

Locks are invisible across machines, so a reader of a synced or mounted folder tells a live
run from a dead one by the heartbeat: the writer refreshes `updated` at least every
HEARTBEAT_S while it trains, and a 'running' record older than STALE_S means nobody is.
"""

from __future__ import annotations

import contextlib
import json
import math
import socket
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from trainer.common.errors import RunFolderError
from trainer.common.events import (
    EpochEnded,
    Event,
    RunFailed,
    RunFinished,
    RunStarted,
    RunStopped,
    StepLogged,
)
from trainer.common.files import atomic_write_text
from trainer.runs.readers import read_run_json

STATUS_FILE = "run.json"
HEARTBEAT_S = 30.0
STALE_S = 180.0  # three missed heartbeats, with room for a slow end-of-epoch evaluation
STATES = ("running", "finished", "stopped", "failed")


@dataclass(frozen=True)
class RunStatus:
    """What run.json holds."""

    state: str
    epoch: int  # completed epochs
    step: int
    total_steps: int
    updated: float  # seconds since the epoch (time.time())
    host: str
    message: str = ""
    precision: dict = field(default_factory=dict)  # requested, used, why (+ auto's evidence)

    def stale(self, now: float | None = None) -> bool:
        """True for a 'running' record whose writer stopped updating it (a dead run)."""
        return self.state == "running" and (now or time.time()) - self.updated > STALE_S


def read_status(folder: Path | str) -> RunStatus | None:
    """The run's status, or None when run.json is missing or damaged (older runs; a torn copy).

    run.json is advisory (the state column, when a reader may load checkpoint.pt), so a damaged
    one makes the state unknown instead of making the run unreadable. Each field is checked
    for its type here, so no reader meets a text where it computes with a time.
    """
    try:
        values = read_run_json(Path(folder) / STATUS_FILE)
        status = RunStatus(**values)
    except (RunFolderError, TypeError):
        return None
    numbers = (status.epoch, status.step, status.total_steps, status.updated)
    well_typed = (
        status.state in STATES
        and all(isinstance(n, (int, float)) and math.isfinite(n) for n in numbers)
        and isinstance(status.host, str)
        and isinstance(status.message, str)
        and isinstance(status.precision, dict)
    )
    return status if well_typed else None


class StatusWriter:
    """Keeps run.json in step with the loop's events (only once the run has started)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.started = False
        self.total_steps = self.epoch = self.step = 0
        self.last_write = 0.0
        self.precision: dict = {}

    def observe(self, event: Event) -> None:
        """Update the record for `event`; step events only every HEARTBEAT_S."""
        if isinstance(event, RunStarted):
            self.started, self.total_steps = True, event.total_steps
            self.precision = {
                "requested": event.config.get("precision", "fp32"),
                "used": event.precision,
                "reason": event.precision_reason,
            }
            if event.precision_evidence:
                self.precision["evidence"] = event.precision_evidence
            self.epoch, self.step = event.epoch, event.step
            self._write("running")
        if not self.started:
            return  # a failed start must not touch a folder (it may be another run's)
        if isinstance(event, StepLogged):
            self.step = event.step
            if time.monotonic() - self.last_write >= HEARTBEAT_S:
                self._write("running")
        elif isinstance(event, EpochEnded):
            self.epoch, self.step = event.epoch, event.step
            self._write("running")
        elif isinstance(event, (RunFinished, RunStopped)):
            self.epoch, self.step = event.epoch, event.step
            self._write("finished" if isinstance(event, RunFinished) else "stopped")
        elif isinstance(event, RunFailed):
            self.step = event.step if event.step is not None else self.step
            self._write("failed", event.message)

    def _write(self, state: str, message: str = "") -> None:
        status = RunStatus(
            state,
            self.epoch,
            self.step,
            self.total_steps,
            time.time(),
            socket.gethostname(),
            message,
            self.precision,
        )
        # The status is advisory: a full disk is reported by the writes that matter.
        with contextlib.suppress(OSError):
            atomic_write_text(self.folder / STATUS_FILE, json.dumps(asdict(status), indent=1))
        self.last_write = time.monotonic()
