"""Per-epoch snapshots: immutable checkpoints that readers load while a run goes on training.

`checkpoint.pt` is what a resume reads; it is replaced at every save, a stop mid-epoch included.
Readers (the explorer, the evaluation, fmgen-evaluate) must not see it change under them, so at
each epoch's end the loop also publishes `checkpoints/epoch_NNN.pt` and readers load the newest
of those. A snapshot is a hard link to the checkpoint just written: free, and safe because
`checkpoint.pt` is never written in place (a save writes a new file and renames it over the
old one, so the linked file never changes). Where links are not supported it is a copy.

Retention: the newest KEEP snapshots stay, and so does every snapshot with a pin file beside it
(`checkpoints/epoch_NNN.pin`, any content; create one to keep an epoch for good). Readers need
no pin: they pick the newest snapshot and read it at once, so that file is one of the KEEP
newest for as long as the read takes (KEEP more epochs would have to end meanwhile).
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

from trainer.common.files import atomic_path
from trainer.runs.checkpoint import CHECKPOINT_NAME, resolve_checkpoint_path
from trainer.runs.status import read_status

SNAPSHOT_DIR = "checkpoints"
KEEP = 3
_NAME = re.compile(r"epoch_(\d+)\.pt")


def snapshot_path(run_dir: Path, epoch: int) -> Path:
    """checkpoints/epoch_NNN.pt of `run_dir`."""
    return Path(run_dir) / SNAPSHOT_DIR / f"epoch_{epoch:03d}.pt"


def pin_path(snapshot: Path) -> Path:
    """The pin file that keeps `snapshot` from being pruned."""
    return snapshot.with_suffix(".pin")


def snapshots(run_dir: Path) -> dict[int, Path]:
    """The run's snapshots by epoch, oldest first."""
    folder = Path(run_dir) / SNAPSHOT_DIR
    found = {}
    if folder.is_dir():
        for path in folder.iterdir():
            match = _NAME.fullmatch(path.name)
            if match and path.is_file():
                found[int(match[1])] = path
    return dict(sorted(found.items()))


def latest_snapshot(run_dir: Path) -> Path | None:
    """The newest snapshot of `run_dir`, if any."""
    found = snapshots(run_dir)
    return found[max(found)] if found else None


def publish(run_dir: Path, epoch: int, keep: int = KEEP) -> Path:
    """Snapshot the run's checkpoint as epoch `epoch`, then prune; call under the run's lock."""
    source = Path(run_dir) / CHECKPOINT_NAME
    target = snapshot_path(run_dir, epoch)
    with atomic_path(target) as tmp:
        try:
            os.link(source, tmp)
        except OSError:  # no hard links here (some network or FAT file systems)
            shutil.copyfile(source, tmp)
    prune(run_dir, keep)
    return target


def prune(run_dir: Path, keep: int = KEEP) -> list[Path]:
    """Delete unpinned snapshots older than the newest `keep`, and stale temp files."""
    found = snapshots(run_dir)
    old = list(found.values())[: max(len(found) - keep, 0)]
    removed = [path for path in old if not pin_path(path).exists()]
    # Only the process holding the run's lock writes here, so any temp file is a dead write's.
    removed += [p for p in (Path(run_dir) / SNAPSHOT_DIR).glob(".*.tmp*") if p.is_file()]
    for path in removed:
        path.unlink(missing_ok=True)
    return removed


def discard_after(run_dir: Path, epoch: int) -> None:
    """Delete unpinned snapshots newer than `epoch`: a resume from an older checkpoint
    replaces that future, as it replaces the metrics after its step."""
    for number, path in snapshots(run_dir).items():
        if number > epoch and not pin_path(path).exists():
            path.unlink(missing_ok=True)


def reader_path(path: Path | str) -> Path:
    """What a reader should load for `path`: for a run folder or its checkpoint.pt, the newest
    snapshot while the run may still be training, its checkpoint once run.json says it ended
    (nobody rewrites it then, and it holds a stop mid-epoch that no snapshot has); else the
    file itself."""
    path = Path(path).expanduser()
    folder = path if path.is_dir() else path.parent if path.name == CHECKPOINT_NAME else None
    if folder is None or _has_ended(folder):
        return resolve_checkpoint_path(path)
    return latest_snapshot(folder) or resolve_checkpoint_path(path)


def _has_ended(folder: Path) -> bool:
    """True when the folder's run.json says its run finished, stopped, failed or died."""
    status = read_status(folder)
    return status is not None and (status.state != "running" or status.stale())


def run_folder_of(checkpoint: Path) -> Path:
    """The run folder that holds `checkpoint`, a snapshot or checkpoint.pt."""
    checkpoint = Path(checkpoint)
    if checkpoint.parent.name == SNAPSHOT_DIR and _NAME.fullmatch(checkpoint.name):
        return checkpoint.parent.parent
    return checkpoint.parent
