"""Reading a run folder's files as untrusted input: every failure becomes a RunFolderError.

A run folder may be half-synced from a GPU box, truncated by a full disk or edited by hand, so
each reader of one goes through these helpers: they name the file and what is wrong with it
(missing, a folder, a symlink loop, not UTF-8, not JSON, JSON of the wrong type, not a PNG)
and never write anything.
"""

from __future__ import annotations

import json
import struct
import zlib
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from trainer.common.errors import RunFolderError
from trainer.common.grids import read_grid

# What PIL raises for a damaged PNG besides OSError: its decoders and plugins are not uniform.
_IMAGE_ERRORS = (
    OSError,
    ValueError,
    SyntaxError,
    EOFError,
    struct.error,
    zlib.error,
    Image.DecompressionBombError,
)
_JSON_TYPES = {dict: "an object", list: "a list"}


def _reason(exc: BaseException) -> str:
    """The first line of what went wrong, without the errno prefix's noise."""
    text = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
    return (text.splitlines() or [type(exc).__name__])[0]


def read_run_bytes(path: Path) -> bytes:
    """The bytes of a run-folder file; RunFolderError names the file and the problem."""
    try:
        return path.read_bytes()
    except OSError as exc:  # missing, a folder, a symlink loop, no permission
        raise unreadable(path, exc) from exc


def unreadable(path: Path, exc: OSError) -> RunFolderError:
    """The error for a run-folder file the system would not read, naming it and why."""
    return RunFolderError(f"{path}: cannot be read: {_reason(exc)}")


def read_run_text(path: Path) -> str:
    """The UTF-8 text of a run-folder file (RunFolderError as read_run_bytes, or not UTF-8)."""
    data = read_run_bytes(path)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise RunFolderError(f"{path}: damaged: not UTF-8 text (byte {exc.start})") from exc


def read_run_json(path: Path, kind: type = dict) -> Any:
    """The JSON value of a run-folder file, which must be of type `kind` (an object or a list)."""
    text = read_run_text(path)
    try:
        value = json.loads(text)
    except (ValueError, RecursionError) as exc:  # a number too long, nesting too deep
        what = "empty" if not text.strip() else f"not valid JSON ({_reason(exc)})"
        raise RunFolderError(f"{path}: damaged: {what}") from exc
    if not isinstance(value, kind):
        raise RunFolderError(
            f"{path}: damaged: holds {type(value).__name__} JSON, expected "
            f"{_JSON_TYPES.get(kind, kind.__name__)}"
        )
    return value


def json_section(document: dict, path: Path, *keys: str) -> dict:
    """document[k1][k2]... where each level must be an object; {} where a key is absent."""
    section = document
    for key in keys:
        section = section.get(key, {})
        if not isinstance(section, dict):
            raise RunFolderError(f"{path}: damaged: '{key}' is not an object")
    return section


def read_run_grid(path: Path) -> np.ndarray:
    """A sample grid PNG of a run folder as a uint8 array."""
    try:
        return read_grid(path)
    except _IMAGE_ERRORS as exc:
        reason = _reason(exc).replace(f" {str(path)!r}", "")  # PIL repeats the path
        raise RunFolderError(f"{path}: damaged: not a readable PNG ({reason})") from exc
