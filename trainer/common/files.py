"""Small file-system helpers: the user cache folder and atomic writes."""

from __future__ import annotations

import contextlib
import errno
import os
import sys
from collections.abc import Iterator
from pathlib import Path

from trainer.common.errors import DiskError


def _user_dir(override: str, windows: tuple[str, str], mac: str, xdg: tuple[str, str]) -> Path:
    """fmgen's folder of one kind: `override` if set, else the platform's (XDG on Linux)."""
    if value := os.environ.get(override):
        return Path(value).expanduser()
    if sys.platform == "win32":
        variable, fallback = windows
        base = Path(os.environ.get(variable, Path.home() / "AppData" / fallback))
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / mac
    else:
        variable, fallback = xdg
        base = Path(os.environ.get(variable) or Path.home() / fallback)
    return base / "fmgen"


def user_cache_dir() -> Path:
    """The per-user cache folder of fmgen (FMGEN_CACHE_DIR moves it)."""
    return _user_dir(
        "FMGEN_CACHE_DIR", ("LOCALAPPDATA", "Local"), "Caches", ("XDG_CACHE_HOME", ".cache")
    )


def user_data_dir() -> Path:
    """The per-user data folder of fmgen: pins, run labels and notes (FMGEN_DATA_HOME moves it)."""
    return _user_dir(
        "FMGEN_DATA_HOME",
        ("APPDATA", "Roaming"),
        "Application Support",
        ("XDG_DATA_HOME", ".local/share"),
    )


def default_runs_dir() -> Path:
    """Where new run folders go: FMGEN_RUNS_DIR, else ./runs."""
    return Path(os.environ.get("FMGEN_RUNS_DIR") or "runs").expanduser()


@contextlib.contextmanager
def disk_errors(path: Path | str) -> Iterator[None]:
    """Turn a full or read-only disk met while writing `path` into a DiskError that names it."""
    try:
        yield
    except OSError as exc:
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            raise DiskError(
                f"Disk full: {path} could not be written. Free some space, or choose a folder "
                "on another disk, and try again."
            ) from exc
        if exc.errno == errno.EROFS:
            raise DiskError(
                f"Read-only disk: {path} could not be written. Choose a folder on a writable "
                "disk and try again."
            ) from exc
        raise


@contextlib.contextmanager
def atomic_path(path: Path | str) -> Iterator[Path]:
    """Yield a temporary path beside `path`; on success it replaces `path` in one rename.

    A crash or an exception while writing leaves the previous file untouched, because the
    rename is the only step that changes what `path` names. A full or read-only disk, or any
    other refusal of the system (no permission, a folder where the file goes), becomes a
    DiskError naming `path` and the reason, and the temporary file is removed.
    """
    target = Path(path)
    # The suffix stays last: writers such as savefig choose the format from it.
    tmp = target.with_name(f".{target.stem}.{os.getpid()}.tmp{target.suffix}")
    try:
        with disk_errors(target):
            target.parent.mkdir(parents=True, exist_ok=True)
            yield tmp
            with open(tmp, "rb+") as handle:
                os.fsync(handle.fileno())
            os.replace(tmp, target)
    except DiskError:
        raise
    except OSError as exc:
        if not _about_target(exc, tmp, target):
            raise  # about a file the caller reads while writing, such as a copy's source
        # Named by the file the caller asked for: the OS names the temporary file instead.
        raise DiskError(f"{target} could not be written ({exc.strerror or exc}).") from exc
    finally:
        tmp.unlink(missing_ok=True)


def _about_target(exc: OSError, tmp: Path, target: Path) -> bool:
    """True when `exc` names the temporary file, the target or a folder on the target's way."""
    names = [Path(n) for n in (exc.filename, exc.filename2) if isinstance(n, (str, os.PathLike))]
    return any(name == tmp or target.is_relative_to(name) for name in names)


def atomic_write_text(path: Path | str, text: str) -> None:
    """Write `text` to `path` atomically (UTF-8)."""
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
