"""Portable runs: a run folder as one .zip, and back (trained on a GPU box, opened on a laptop)."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path, PurePosixPath

from trainer.common.errors import FmgenError
from trainer.common.files import atomic_path
from trainer.runs.readers import unreadable

# Locks, temporaries and per-epoch snapshots stay behind: the archive holds what a reader
# and a resume need (config, metrics, grids, status, the latest checkpoint, evaluations).
_LEFT_OUT = (".lock", ".tmp", "checkpoints/")


def archive_run(run_dir: Path | str, out: Path | str | None = None) -> Path:
    """Write RUN_DIR.zip (or `out`) holding the run folder under its own name; atomic."""
    folder = Path(run_dir).resolve()
    if not (folder / "config.json").is_file():
        raise FmgenError(f"{folder}: not a run folder (no config.json)")
    target = Path(out) if out else folder.with_name(folder.name + ".zip")
    with atomic_path(target) as tmp, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            relative = path.relative_to(folder).as_posix()
            if path.is_file() and not any(mark in relative for mark in _LEFT_OUT):
                try:
                    archive.write(path, f"{folder.name}/{relative}")
                except OSError as exc:  # unreadable (no permission, a bad sector)
                    raise unreadable(path, exc) from exc
    return target


def extract_run(zip_path: Path | str, runs_dir: Path | str) -> Path:
    """Unpack an archived run into a new folder under `runs_dir` and return that folder.

    The run is unpacked into a hidden sibling folder and renamed into place at the end, so a
    damaged archive leaves no half-made run folder behind (one the Runs tab lists as damaged).
    """
    try:
        with zipfile.ZipFile(zip_path) as archive:
            top = _single_top_folder(archive.namelist(), zip_path)
            # Not mkdtemp: its folder is private (0700), and the run keeps the folder's mode.
            staging = _free_folder(Path(runs_dir) / f".{top}.unpacking")
            staging.mkdir(parents=True)
            try:
                _unpack(archive, top, staging)
                target = _free_folder(Path(runs_dir) / top)
                staging.rename(target)
            except BaseException:
                shutil.rmtree(staging, ignore_errors=True)
                raise
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise FmgenError(f"{zip_path}: not a readable run archive ({exc})") from exc
    return target


def _unpack(archive: zipfile.ZipFile, top: str, folder: Path) -> None:
    """Write the files under the archive's `top` folder into `folder` (BadZipFile: bad CRC)."""
    for name in archive.namelist():
        if name.endswith("/"):
            continue
        destination = folder / PurePosixPath(name).relative_to(top)
        destination.parent.mkdir(parents=True, exist_ok=True)
        destination.write_bytes(archive.read(name))


def _single_top_folder(names: list[str], zip_path: Path | str) -> str:
    """The archive's one top folder; refuses absolute paths and '..' (zip-slip)."""
    parts = [PurePosixPath(name).parts for name in names]
    if not parts or any(
        name.startswith("/") or ".." in PurePosixPath(name).parts for name in names
    ):
        raise FmgenError(f"{zip_path}: not a run archive (unsafe or empty paths)")
    tops = {p[0] for p in parts}
    if len(tops) != 1 or f"{next(iter(tops))}/config.json" not in names:
        raise FmgenError(f"{zip_path}: not a run archive (expected one folder with config.json)")
    return tops.pop()


def _free_folder(path: Path) -> Path:
    candidate, n = path, 1
    while candidate.exists():
        n += 1
        candidate = path.with_name(f"{path.name}-{n}")
    return candidate
