"""Checkpoints: one dict of plain values and tensors, written atomically, read weights-only."""

from __future__ import annotations

import math
import os
import pickle
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from trainer.common.errors import CheckpointError, ConfigError
from trainer.common.files import atomic_path
from trainer.config.settings import RunConfig
from trainer.registry import get_model

FORMAT = "fmgen-checkpoint"
# 2: a DDPM's state holds its weight average. Bumped for every model, so fmgen 1 says "update
# fmgen" for any new checkpoint (even a VAE's it could read) instead of calling a DDPM's weights
# "do not fit"; every older format still loads.
FORMAT_VERSION = 2
CHECKPOINT_NAME = "checkpoint.pt"
# What torch's weights-only unpickler says of an object it will not build (code could run).
_CODE_MARKS = ("GLOBAL", "unrecognized function")


@dataclass(frozen=True)
class Checkpoint:
    """A loaded checkpoint: the run's config, its position and the learner's state."""

    path: Path
    config: RunConfig
    epoch: int  # completed epochs
    step: int
    batch_in_epoch: int  # batches of the epoch in progress already trained (0 at a boundary)
    state: dict[str, Any]
    meters: dict[str, dict[str, float]]
    metrics: dict[str, float]  # the last epoch's test metrics, for display
    # The run's training time up to this checkpoint: wall-clock seconds from each start or
    # resume, pauses left out, over all its sessions. None: a file written before it was kept.
    seconds: float | None = None


def save_checkpoint(path: Path, checkpoint: Checkpoint) -> None:
    """Write `checkpoint` to `path` so that a crash mid-write keeps the previous file."""
    payload = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "config": checkpoint.config.to_dict(),
        "epoch": checkpoint.epoch,
        "step": checkpoint.step,
        "batch_in_epoch": checkpoint.batch_in_epoch,
        "state": checkpoint.state,
        "meters": checkpoint.meters,
        "metrics": checkpoint.metrics,
        "seconds": checkpoint.seconds,
    }
    # Through a Python file: a full disk then raises OSError(ENOSPC), which atomic_path turns
    # into a clear message; torch's own file writer reports only "unexpected pos".
    with atomic_path(path) as tmp, open(tmp, "wb") as handle:
        torch.save(payload, handle)


def resolve_checkpoint_path(path: Path | str) -> Path:
    """Accept a checkpoint file or a run folder that holds one."""
    path = Path(path).expanduser()
    if path.is_dir():
        path = path / CHECKPOINT_NAME
    if not path.is_file():
        if os.path.lexists(path):  # a folder in its place, a broken or looping link
            raise CheckpointError(f"{path}: not a readable file (a folder or a broken link)")
        raise CheckpointError(f"{path}: no such checkpoint file")
    return path


def _read(path: Path) -> Any:
    if not zipfile.is_zipfile(path):  # torch.save has written zip archives since PyTorch 1.6
        raise CheckpointError(f"{path}: not a readable checkpoint (not a PyTorch zip archive)")
    try:
        # weights_only: the unpickler only builds tensors and plain containers, so a file
        # crafted to run code on load is refused before anything runs.
        return torch.load(path, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as exc:
        if any(mark in str(exc) for mark in _CODE_MARKS):
            raise CheckpointError(
                f"{path}: refused: it contains Python objects other than tensors and plain "
                "values (such a file could run code when loaded; nothing from it was run)"
            ) from exc
        raise _damaged(path, exc) from exc
    except Exception as exc:
        # torch's readers meet garbage with any exception type (an IndexError from its
        # unpickler's stack, a RuntimeError from its zip reader, ...): all mean a damaged file.
        raise _damaged(path, exc) from exc


def _damaged(path: Path, exc: Exception) -> CheckpointError:
    # torch wraps its unpickler's reason in advice on loading untrusted files: keep the reason
    lines = str(exc).rpartition("WeightsUnpickler error: ")[2].strip().splitlines()
    reason = lines[0] if lines else type(exc).__name__
    return CheckpointError(
        f"{path}: not a readable checkpoint (truncated or not a PyTorch file: {reason})"
    )


def load_checkpoint(path: Path | str, expect_model: str | None = None) -> Checkpoint:
    """Read and check a checkpoint; `expect_model` (a registry name) refuses other models."""
    path = resolve_checkpoint_path(path)
    raw = _read(path)
    if not isinstance(raw, dict) or raw.get("format") != FORMAT:
        raise CheckpointError(f"{path}: not an fmgen checkpoint (no '{FORMAT}' marker)")
    version = raw.get("format_version")
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise CheckpointError(
            f"{path}: written by a newer fmgen (format {version}; this one reads up to "
            f"{FORMAT_VERSION}): update fmgen to open it"
        )
    try:
        config = RunConfig.from_dict(raw["config"])
        checkpoint = Checkpoint(
            path=path,
            config=config,
            epoch=int(raw["epoch"]),
            step=int(raw["step"]),
            batch_in_epoch=int(raw["batch_in_epoch"]),
            state=_object(raw, "state"),
            meters=_object(raw, "meters"),
            metrics=_object(raw, "metrics"),
            seconds=_seconds(raw.get("seconds")),
        )
    except (KeyError, TypeError, ValueError, ConfigError) as exc:
        raise CheckpointError(f"{path}: damaged fmgen checkpoint ({exc})") from exc
    if expect_model and config.model != expect_model:
        raise CheckpointError(
            f"{path}: holds a {get_model(config.model).label}, but a "
            f"{get_model(expect_model).label} is needed here"
        )
    return checkpoint


def _seconds(value: Any) -> float | None:
    """A recorded training time (TypeError, ValueError: damaged); None when not recorded."""
    if value is None:
        return None
    seconds = float(value)
    if not math.isfinite(seconds) or seconds < 0:
        raise ValueError(f"training time {value!r}")
    return seconds


def _object(raw: dict, key: str) -> dict:
    """raw[key], which must be a dict (TypeError otherwise: a damaged or foreign file)."""
    value = raw[key]
    if not isinstance(value, dict):
        raise TypeError(f"'{key}' is a {type(value).__name__}, not a dict")
    return value


def all_finite(state: dict[str, torch.Tensor]) -> bool:
    """True when every floating tensor of a state dict is finite (no NaN/Inf weights)."""
    return all(
        bool(torch.isfinite(t).all())
        for t in state.values()
        if isinstance(t, torch.Tensor) and t.is_floating_point()
    )


def finite_metrics(values: dict[str, float]) -> bool:
    """True when every value is a finite number."""
    return all(math.isfinite(v) for v in values.values())
