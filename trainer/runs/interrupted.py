"""Interrupted runs: a run folder that stopped (or died) before its last epoch, to offer resuming.

A run stopped by closing the window says 'stopped' in run.json; a crashed process leaves
'running' behind with nobody holding the folder's lock (or a heartbeat too old to be alive).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from filelock import FileLock

from trainer.common.errors import FmgenError
from trainer.registry import get_model
from trainer.runs.checkpoint import CHECKPOINT_NAME
from trainer.runs.folder import RunFolder
from trainer.runs.status import read_status

OFFERED = ("stopped", "failed", "dead")  # states whose run can go on from its checkpoint


@dataclass(frozen=True)
class Interrupted:
    """A run that can be resumed: where, what and how far it got."""

    folder: Path
    model: str
    epoch: int  # completed epochs
    epochs: int  # epochs the run was started for
    state: str  # one of OFFERED

    @property
    def name(self) -> str:
        """'VAE run vae-20261207-101500'."""
        return f"{get_model(self.model).label} run {self.folder.name}"

    def offer(self) -> str:
        """The banner's words: 'Resume VAE run vae-… (epoch 1 of 2)'."""
        return f"Resume {self.name} (epoch {self.epoch} of {self.epochs})"


def interrupted_run(folder: Path | str) -> Interrupted | None:
    """The run in `folder` if it ended before its last step and has a checkpoint, else None."""
    folder = Path(folder)
    status = read_status(folder)
    if status is None or not (folder / CHECKPOINT_NAME).is_file():
        return None
    state = status.state
    if state == "running" and (status.stale() or not _in_use(folder)):
        state = "dead"  # its process is gone: the lock dies with it
    if state not in OFFERED or status.step >= status.total_steps:
        return None
    try:
        config = RunFolder(folder).read_config()
    except FmgenError:
        return None
    return Interrupted(folder, config.model, status.epoch, config.epochs, state)


def _in_use(folder: Path) -> bool:
    """True while some process holds the folder's training lock
    (trainer.runs.folder.RunFolderLock)."""
    if not (folder / ".lock").exists():
        return False
    lock = FileLock(folder / ".lock", timeout=0, thread_local=False)
    try:
        lock.acquire()
    except OSError:  # held (filelock's Timeout is one), or cannot be probed: offer nothing
        return True
    lock.release()
    return False
