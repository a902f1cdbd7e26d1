"""A run's curves and grids, built from live events or from its run folder (one code path)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from trainer.common.events import EpochEnded, Event, RunStarted, SamplesReady, StepLogged
from trainer.runs.checkpoint import Checkpoint, load_checkpoint
from trainer.runs.folder import RunFolder
from trainer.runs.snapshots import run_folder_of

MAX_GRIDS = 60  # grids kept per kind: a long run must not fill the memory with them
RECENT_GRIDS = 10


def thin_grids(grids: dict[int, np.ndarray]) -> None:
    """Past MAX_GRIDS, drop every other older epoch (the first and the latest 10 stay).

    Repeated thinning keeps ever sparser old epochs: the slider still spans the whole run.
    """
    if len(grids) > MAX_GRIDS:
        for epoch in sorted(grids)[1:-RECENT_GRIDS:2]:
            del grids[epoch]


class Series:
    """An x/y series that grows in amortised O(1) and hands out views without copying."""

    def __init__(self) -> None:
        self._x = np.empty(256)
        self._y = np.empty(256)
        self.size = 0

    def append(self, x: float, y: float) -> None:
        """Add one point."""
        if self.size == len(self._x):
            self._x = np.resize(self._x, 2 * self.size)
            self._y = np.resize(self._y, 2 * self.size)
        self._x[self.size] = x
        self._y[self.size] = y
        self.size += 1

    @property
    def x(self) -> np.ndarray:
        """The x values so far (a view)."""
        return self._x[: self.size]

    @property
    def y(self) -> np.ndarray:
        """The y values so far (a view)."""
        return self._y[: self.size]


@dataclass
class RunHistory:
    """Series by key ('step/loss', 'train/neg_elbo', 'test/mse', ...) and grids by name/epoch."""

    model: str
    series: dict[str, Series] = field(default_factory=dict)
    grids: dict[str, dict[int, np.ndarray]] = field(default_factory=dict)
    epochs: list[EpochEnded] = field(default_factory=list)

    def add(self, event: Event) -> None:
        """Take what a plot or a grid needs from `event`; other events are ignored."""
        if isinstance(event, StepLogged):
            for name, value in event.losses.items():
                self._point(f"step/{name}", event.step, value)
        elif isinstance(event, EpochEnded):
            self.epochs.append(event)
            for split, values in (("train", event.train), ("test", event.test)):
                for name, value in values.items():
                    self._point(f"{split}/{name}", event.epoch, value)
        elif isinstance(event, SamplesReady):
            grids = self.grids.setdefault(event.name, {})
            grids[event.epoch] = event.grid
            thin_grids(grids)

    def _point(self, key: str, x: float, y: float) -> None:
        self.series.setdefault(key, Series()).append(x, y)

    @property
    def last_epoch(self) -> EpochEnded | None:
        """The latest epoch's metrics, if any."""
        return self.epochs[-1] if self.epochs else None

    def until(self, started: RunStarted) -> RunHistory:
        """The history as it was where `started` resumes (a snapshot may be older than the
        latest checkpoint): its curves, epochs and grids past that point, trained again, go."""
        kept = RunHistory(self.model, epochs=[e for e in self.epochs if e.epoch <= started.epoch])
        for key, series in self.series.items():
            end = started.step if key.startswith("step/") else started.epoch
            for x, y in zip(series.x, series.y, strict=True):
                if x <= end:
                    kept._point(key, x, y)
        for name, grids in self.grids.items():
            kept.grids[name] = {epoch: g for epoch, g in grids.items() if epoch <= started.epoch}
        return kept

    def trained_seconds(self, started: RunStarted) -> float:
        """Seconds the run had trained before `started` (a resume): its ended epochs' times,
        stretched over the steps of an unfinished epoch; 0 for a new run, or unknown epochs."""
        times = {e.epoch: e.seconds for e in self.epochs if e.epoch <= started.epoch}
        if not started.step or not started.steps_per_epoch or not times:
            return 0.0
        return sum(times.values()) * started.step / (max(times) * started.steps_per_epoch)

    @classmethod
    def from_folder(cls, path: Path | str) -> RunHistory:
        """Rebuild the history of a run folder written by fmgen-train or the app."""
        folder = RunFolder(Path(path))
        history = cls(folder.read_config().model)
        for record in folder.read_metrics():
            event = event_from_record(record)
            if event is not None:
                history.add(event)
        for epoch, name, grid in folder.read_grids():
            history.add(SamplesReady(epoch, 0, name, grid))
        return history


def open_run_files(path: Path | str) -> tuple[Checkpoint, RunHistory | None]:
    """What opening a run folder or checkpoint shows: the checkpoint, and the history of the
    folder holding it when that folder is a run's (CheckpointError, RunFolderError: damaged)."""
    checkpoint = load_checkpoint(path)
    folder = run_folder_of(checkpoint.path)  # a snapshot's run, not its checkpoints/ folder
    # lexists: a config.json that is a broken link is a damaged run, not a bare checkpoint
    has_run = os.path.lexists(folder / "config.json")
    history = RunHistory.from_folder(folder) if has_run else None
    return checkpoint, history


def event_from_record(record: dict) -> Event | None:
    """The event a metrics.jsonl record stands for (None for other or damaged records).

    Every value is converted to the type the plots expect here, so a hand-edited or corrupted
    record is dropped now instead of failing later in a plot or a label.
    """
    try:
        if record.get("type") == "step":
            skip = {"type", "epoch", "step", "images_per_s"}
            losses = {str(k): float(v) for k, v in record.items() if k not in skip}
            return StepLogged(
                int(record["epoch"]), int(record["step"]), losses, float(record["images_per_s"])
            )
        if record.get("type") == "epoch":
            return EpochEnded(
                int(record["epoch"]),
                int(record["step"]),
                _numbers(record["train"]),
                _numbers(record["test"]),
                float(record["seconds"]),
            )
    except (KeyError, TypeError, ValueError, AttributeError, OverflowError):
        return None  # a damaged record costs one point, not the whole history
    return None


def _numbers(values: dict) -> dict[str, float]:
    """A record's {metric: value} with every value a float (AttributeError: not an object)."""
    return {str(k): float(v) for k, v in values.items()}
