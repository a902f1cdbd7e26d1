"""A run folder: config.json, metrics.jsonl, checkpoint.pt and samples/*.png."""

from __future__ import annotations

import json
import os
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from filelock import FileLock, Timeout

from trainer.common.errors import ConfigError, FmgenError, RunFolderError
from trainer.common.files import atomic_write_text, disk_errors
from trainer.common.grids import save_grid
from trainer.config.settings import RunConfig
from trainer.runs.checkpoint import CHECKPOINT_NAME
from trainer.runs.readers import read_run_bytes, read_run_grid, read_run_json

_GRID_FILE = re.compile(r"epoch_(\d+)(?:_(\w+))?\.png")


def new_run_dir(out: Path | str, model: str) -> Path:
    """A fresh path `out/<model>-<date>-<time>[-N]`, not created yet.

    The training loop creates it once the run has really started, so a start that fails
    (no data, an unusable device) leaves no empty run folder behind.
    """
    stamp = time.strftime("%Y%m%d-%H%M%S")
    base = Path(out).expanduser() / f"{model}-{stamp}"
    path, n = base, 1
    while path.exists():
        n += 1
        path = base.with_name(f"{base.name}-{n}")
    return path


def named_run_dir(out: Path | str, name: str) -> Path:
    """`out/name` (not created yet, as new_run_dir), refusing a path or a folder with a run."""
    if not name or Path(name).name != name or name.startswith("."):
        raise FmgenError(f"run name {name!r}: use a plain folder name")
    path = Path(out).expanduser() / name
    if (path / "config.json").exists():
        raise FmgenError(f"{path} already holds a run: continue it with --resume {path}")
    return path


def parse_records(text: str) -> list[dict[str, Any]]:
    """The JSON records of metrics.jsonl lines; a damaged line (crash, torn write, not an
    object) is skipped."""
    records = []
    for line in text.splitlines():
        try:
            record = json.loads(line)
        except (ValueError, RecursionError):
            continue
        if isinstance(record, dict):
            records.append(record)
    return records


@dataclass(frozen=True)
class RunFolder:
    """Paths and I/O of one run's folder."""

    path: Path

    @property
    def checkpoint(self) -> Path:
        """The run's checkpoint file."""
        return self.path / CHECKPOINT_NAME

    @property
    def metrics_file(self) -> Path:
        """One JSON object per logged step and per epoch."""
        return self.path / "metrics.jsonl"

    @property
    def samples_dir(self) -> Path:
        """PNG grids, one per epoch and kind."""
        return self.path / "samples"

    def remove_stale_temporaries(self) -> list[Path]:
        """Delete half-written temp files of writes that a killed process never finished.

        Only safe under the folder's lock: then no other process is writing here.
        """
        stale = [p for p in self.path.glob(".*.tmp*") if p.is_file()]
        stale += [p for p in self.samples_dir.glob(".*.tmp*") if p.is_file()]
        for path in stale:
            path.unlink(missing_ok=True)
        return stale

    def write_config(self, config: RunConfig) -> None:
        """Save config.json."""
        self.path.mkdir(parents=True, exist_ok=True)
        atomic_write_text(self.path / "config.json", json.dumps(config.to_dict(), indent=2) + "\n")

    def read_config(self) -> RunConfig:
        """Load config.json; RunFolderError says what is wrong with it."""
        path = self.path / "config.json"
        values = read_run_json(path)
        try:
            return RunConfig.from_dict(values)
        except (ConfigError, KeyError, ValueError, TypeError, AttributeError) as exc:
            reason = " ".join(str(exc).split())  # ConfigError lists its problems on lines
            raise RunFolderError(f"{path}: damaged: not a run's settings ({reason})") from exc

    def read_metrics(self) -> list[dict[str, Any]]:
        """All records of metrics.jsonl (a torn last line from a crash is skipped; no file: none).

        Bytes that are not UTF-8 only damage their own line, as a torn write does.
        """
        if not os.path.lexists(self.metrics_file):  # a symlink loop is not "no file"
            return []
        return parse_records(read_run_bytes(self.metrics_file).decode("utf-8", errors="replace"))

    def read_metrics_until(self, step: int) -> list[dict[str, Any]]:
        """The records of metrics.jsonl up to `step`: the run as it was at that step (a record
        whose step is not a number is damaged, and dropped like one)."""
        return [r for r in self.read_metrics() if _step_at_most(r.get("step", 0), step)]

    def keep_metrics_until(self, step: int) -> None:
        """Drop records after `step`: a resume from an older checkpoint must not fork the curves."""
        kept = self.read_metrics_until(step)
        atomic_write_text(self.metrics_file, "".join(json.dumps(r) + "\n" for r in kept))

    def grid_path(self, epoch: int, name: str) -> Path:
        """samples/epoch_NNN.png for prior samples, samples/epoch_NNN_<name>.png otherwise."""
        suffix = "" if name == "samples" else f"_{name}"
        return self.samples_dir / f"epoch_{epoch:03d}{suffix}.png"

    def save_grid(self, epoch: int, name: str, grid: np.ndarray) -> Path:
        """Write one grid PNG."""
        path = self.grid_path(epoch, name)
        save_grid(grid, path)
        return path

    def grid_files(self) -> list[tuple[int, str, Path]]:
        """(epoch, name, path) of every saved grid file, by epoch."""
        found = []
        for path in sorted(self.samples_dir.glob("epoch_*.png")):
            match = _GRID_FILE.fullmatch(path.name)
            if match:
                found.append((int(match[1]), match[2] or "samples", path))
        return found

    def read_grids(self) -> list[tuple[int, str, np.ndarray]]:
        """(epoch, name, grid) of every saved grid, by epoch."""
        return [(epoch, name, read_run_grid(path)) for epoch, name, path in self.grid_files()]


class RunFolderLock:
    """An exclusive lock on a run folder while a process trains in it.

    Two processes resuming the same run would interleave metrics.jsonl and overwrite each
    other's checkpoints. filelock takes the operating system's own lock on `.lock` (flock on
    Unix, a locked byte range on Windows), which is released when its process dies, so a
    crash never leaves a stale lock behind.
    """

    def __init__(self, folder: Path) -> None:
        self.path = folder / ".lock"
        # One attempt, no waiting; not thread-local, because the app may end a run's
        # generator on another thread than the one that started it.
        self._lock = FileLock(self.path, timeout=0, thread_local=False)

    def __enter__(self) -> RunFolderLock:
        # Creating the folder and its lock file is a run's first write: where a read-only
        # disk shows first.
        with disk_errors(self.path.parent):
            self.path.parent.mkdir(parents=True, exist_ok=True)
            try:
                self._lock.acquire()
            except Timeout as exc:
                raise RunFolderError(
                    f"{self.path.parent} is in use: another fmgen is training in this run "
                    "folder. Wait for it to finish, or train in a new folder."
                ) from exc
        return self

    def __exit__(self, *exc: object) -> None:
        self._lock.release()


class MetricsLog:
    """Appends JSON lines to metrics.jsonl, flushed per record so a crash loses at most one."""

    def __init__(self, path: Path) -> None:
        self.path = path
        with disk_errors(path):
            self._file = open(path, "a", encoding="utf-8")  # noqa: SIM115 - closed by close()

    def write(self, record: dict[str, Any]) -> None:
        """Append one record (a full disk may leave it torn; read_metrics skips such a line)."""
        with disk_errors(self.path):
            self._file.write(json.dumps(record) + "\n")
            self._file.flush()

    def close(self) -> None:
        """Close the file."""
        with disk_errors(self.path):
            self._file.close()


def _step_at_most(value: object, step: int) -> bool:
    """Whether a record's step `value` is a number no later than `step`."""
    return isinstance(value, int | float) and not isinstance(value, bool) and value <= step
