"""The small, frozen events the training loop yields: plain numbers, strings and arrays."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np


@dataclass(frozen=True)
class RunStarted:
    """Training begins (or resumes) in `run_dir`."""

    run_dir: str
    config: dict[str, Any]
    device: str
    precision: str  # what the networks compute in: fp32, tf32, bf16 or fp16
    precision_reason: str  # why `auto` chose it, or that it was asked for
    data_source: str
    train_size: int
    test_size: int
    epoch: int  # completed epochs so far (non-zero on resume)
    step: int
    steps_per_epoch: int
    total_steps: int
    # what auto measured (ratio, spread, rounds, cached or measured); empty when it did not
    precision_evidence: dict[str, Any] = field(default_factory=dict)
    # the run's training time before this session (its checkpoint's; 0 for a new run); None:
    # a checkpoint from before fmgen kept it
    seconds_before: float | None = 0.0


@dataclass(frozen=True)
class StepLogged:
    """Mean losses over the steps since the previous log."""

    epoch: int  # the epoch in progress, counted from 1
    step: int
    losses: dict[str, float]
    images_per_s: float


@dataclass(frozen=True)
class EpochEnded:
    """Means of the epoch's training losses and the test metrics after it."""

    epoch: int
    step: int
    train: dict[str, float]
    test: dict[str, float]
    seconds: float


@dataclass(frozen=True)
class SamplesReady:
    """One named uint8 grid image (H, W), e.g. 'samples' or 'reconstructions'."""

    epoch: int
    step: int
    name: str
    grid: np.ndarray = field(repr=False)


@dataclass(frozen=True)
class CheckpointSaved:
    """The run's checkpoint now holds this state."""

    epoch: int
    step: int
    path: str


@dataclass(frozen=True)
class Paused:
    """The loop waits at `step` until resumed or stopped."""

    step: int


@dataclass(frozen=True)
class Resumed:
    """The loop goes on after a pause."""

    step: int


@dataclass(frozen=True)
class RunFinished:
    """All epochs are done."""

    run_dir: str
    epoch: int
    step: int


@dataclass(frozen=True)
class RunStopped:
    """Stopped on request; the checkpoint holds the state at `step`."""

    run_dir: str
    epoch: int
    step: int
    checkpoint: str


@dataclass(frozen=True)
class RunFailed:
    """The run cannot go on; `message` says why and what to do."""

    message: str
    kind: str  # data, config, checkpoint, run_folder, disk, nan, oom or internal
    step: int | None = None
    details: str = ""  # a traceback for internal errors, for bug reports


Event = (
    RunStarted
    | StepLogged
    | EpochEnded
    | SamplesReady
    | CheckpointSaved
    | Paused
    | Resumed
    | RunFinished
    | RunStopped
    | RunFailed
)
TERMINAL_EVENTS = (RunFinished, RunStopped, RunFailed)
