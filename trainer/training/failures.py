"""Turn what ends a run (an error, full memory or disk) into a RunFailed event to act on."""

from __future__ import annotations

import traceback
from pathlib import Path

import torch

from trainer.common.errors import (
    CheckpointError,
    ConfigError,
    DataError,
    DiskError,
    FmgenError,
    RunFolderError,
)
from trainer.common.events import RunFailed

NO_CHECKPOINT_YET = "No checkpoint had been written yet."


def failure_event(
    exc: BaseException, step: int | None, checkpoint: Path | None = None
) -> RunFailed:
    """A RunFailed event that explains `exc`; with the run's `checkpoint`, says what is kept."""
    kinds = {
        DataError: "data",
        ConfigError: "config",
        CheckpointError: "checkpoint",
        RunFolderError: "run_folder",
        DiskError: "disk",
    }
    if isinstance(exc, FmgenError):
        kind = next((k for cls, k in kinds.items() if isinstance(exc, cls)), "internal")
        return RunFailed(str(exc) + (_kept(checkpoint) if kind == "disk" else ""), kind, step)
    if _out_of_memory(exc):
        # On the CPU a device change cannot help: the memory is the computer's.
        cpu = isinstance(exc, MemoryError) or "DefaultCPUAllocator" in str(exc)
        return RunFailed(
            f"Out of memory at step {step}. Try a smaller batch size, a smaller latent size, or "
            f"{'closing other programs' if cpu else 'the CPU'}.{_kept(checkpoint)}",
            "oom",
            step,
        )
    return RunFailed(
        f"Internal error at step {step}: {type(exc).__name__}: {exc}",
        "internal",
        step,
        traceback.format_exc(),
    )


def _out_of_memory(exc: BaseException) -> bool:
    """GPUs raise OutOfMemoryError; PyTorch's CPU allocator raises a plain RuntimeError."""
    text = str(exc)
    return (
        isinstance(exc, (torch.OutOfMemoryError, MemoryError))
        or "out of memory" in text.lower()
        or "DefaultCPUAllocator" in text
    )


def _kept(checkpoint: Path | None) -> str:
    """What of the run survives a failure: its last checkpoint, if one was written."""
    if checkpoint is None:
        return ""
    if checkpoint.is_file():
        return f" The run's last checkpoint ({checkpoint}) is kept."
    return f" {NO_CHECKPOINT_YET}"
