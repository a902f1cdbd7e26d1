"""Follow a run folder that another process writes (a terminal, a GPU box, a notebook).

Polling, not file-system watchers: watchers do not fire on network mounts or synced folders.
Nothing is written and no lock is taken: the folder may be read-only or on another machine.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from trainer.common.errors import RunFolderError
from trainer.common.events import Event, SamplesReady
from trainer.runs.folder import RunFolder, parse_records
from trainer.runs.history import event_from_record
from trainer.runs.readers import read_run_grid, unreadable
from trainer.runs.status import RunStatus, read_status


@dataclass(frozen=True)
class FollowUpdate:
    """What one poll found: new events, the run's status and whether the folder is gone."""

    events: tuple[Event, ...]
    status: RunStatus | None
    vanished: bool = False

    def silent_for(self, now: float | None = None) -> float | None:
        """Seconds since the writer's last heartbeat (None without a status)."""
        return None if self.status is None else (now or time.time()) - self.status.updated


class RunFollower:
    """Reads what is new in a run folder since the last `poll`."""

    def __init__(self, folder: Path | str) -> None:
        self.folder = Path(folder)
        self._offset = 0  # bytes of metrics.jsonl already read (whole lines only)
        self._grids: set[str] = set()

    def poll(self) -> FollowUpdate:
        """New metrics records and grids as events, with the current status; RunFolderError when
        metrics.jsonl cannot be read (a folder, a symlink loop, no permission)."""
        if not self.folder.is_dir():
            return FollowUpdate((), None, vanished=True)
        events = [*self._new_records(), *self._new_grids()]
        return FollowUpdate(tuple(events), read_status(self.folder))

    def _new_records(self) -> list[Event]:
        try:
            with open(self.folder / "metrics.jsonl", "rb") as handle:
                handle.seek(self._offset)
                chunk = handle.read()
        except FileNotFoundError:
            return []
        except OSError as exc:
            raise unreadable(self.folder / "metrics.jsonl", exc) from exc
        if len(chunk) == 0 and self._offset > 0 and self._shrunk():
            self._offset = 0  # a resume rewrote the file shorter: read it again from the top
            return self._new_records()
        whole = chunk[: chunk.rfind(b"\n") + 1]  # a torn last line waits for the next poll
        self._offset += len(whole)
        records = parse_records(whole.decode("utf-8", errors="replace"))
        return [e for e in map(event_from_record, records) if e is not None]

    def _shrunk(self) -> bool:
        try:
            return (self.folder / "metrics.jsonl").stat().st_size < self._offset
        except OSError:
            return False

    def _new_grids(self) -> list[Event]:
        events = []
        for epoch, name, path in RunFolder(self.folder).grid_files():
            if path.name in self._grids:
                continue
            try:
                grid = read_run_grid(path)
            except RunFolderError:
                continue  # still being written (a synced copy arrives in parts): next poll
            self._grids.add(path.name)
            events.append(SamplesReady(epoch, 0, name, grid))
        return events
