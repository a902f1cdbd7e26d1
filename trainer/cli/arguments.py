"""Checks every fmgen command applies to its arguments before any work starts.

Each check is an argparse type (or a function a command's validation calls): a refused value
raises argparse.ArgumentTypeError, which argparse prints as one line naming the option, the value
and what is allowed, and exits 2 — never after data is loaded or a model is built. Ranges come
from trainer.config.settings (`setting_problem`), the one table of them.
"""

from __future__ import annotations

import argparse
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from trainer.common.errors import FmgenError
from trainer.config.device import parse_device
from trainer.config.settings import setting_problem
from trainer.config.values import int_problem
from trainer.data.fashion_mnist import locate
from trainer.runs.checkpoint import resolve_checkpoint_path


def one_line(error: Exception) -> str:
    """An error's message on one line (a ConfigError lists its problems on several)."""
    return " ".join(part.strip() for part in str(error).splitlines() if part.strip())


def setting(name: str, parse: Callable[[str], Any] = int) -> Callable[[str], Any]:
    """The argparse type of setting `name`: `parse` the text, then apply the setting's range."""

    def convert(text: str) -> Any:
        try:
            value = parse(text)
        except ValueError:
            kind = "a whole number" if parse is int else "a number"
            raise argparse.ArgumentTypeError(f"{text!r} is not {kind}") from None
        problem = setting_problem(name, value)
        if problem:
            raise argparse.ArgumentTypeError(problem)
        return value

    convert.__name__ = name  # argparse names a type by its function in some messages
    return convert


def whole_number(low: int, high: int) -> Callable[[str], int]:
    """The argparse type of a whole number in low..high (for options that are not settings)."""

    def convert(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        problem = int_problem(value, low, high)  # worded as the settings' own checks
        if problem:
            raise argparse.ArgumentTypeError(problem)
        return value

    return convert


def write_problem(folder: Path) -> str | None:
    """Why this process cannot write in `folder` (made if missing), or None when it can.

    Writability is tried, not read from permission bits: those miss read-only disks, and an
    administrator passes every permission check.
    """
    existing = folder
    while not os.path.lexists(existing) and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        what = "is a file" if existing.exists() else "is a broken link"
        return f"{existing} {what}, not a folder"
    try:
        with tempfile.TemporaryFile(dir=existing):
            pass
    except OSError as exc:
        return f"cannot write in {existing} ({exc.strerror or exc})"
    return None


def device_name(text: str) -> str:
    """argparse type of --device: a device's name (whether this machine has it is checked by
    the commands that run here; a sweep may be for another machine)."""
    try:
        parse_device(text)
    except FmgenError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return text


def output_folder(text: str) -> Path:
    """argparse type: a folder to write into, made if missing (--out)."""
    folder = Path(text).expanduser()
    problem = write_problem(folder)
    if problem:
        raise argparse.ArgumentTypeError(f"{text!r}: {problem}; name a folder you can write in")
    return folder


def run_path(text: str) -> Path:
    """argparse type: a run folder holding checkpoint.pt, or a checkpoint file (--run, --resume)."""
    try:
        resolve_checkpoint_path(text)
    except FmgenError as exc:
        raise argparse.ArgumentTypeError(
            f"{exc}; name a run folder or a checkpoint (.pt) file"
        ) from None
    return Path(text).expanduser()


def data_dir_problem(data_dir: Path | None) -> str | None:
    """Why --data-dir holds no Fashion-MNIST (checked before it is loaded), or None."""
    if data_dir is None:
        return None  # the documented places are looked in, and a download is offered
    try:
        locate(data_dir)
    except FmgenError as exc:
        return str(exc).splitlines()[0]  # '--data-dir DIR: no such folder.' / '...: missing ...'
    return None


def run_folder(text: str) -> Path:
    """The argparse type of a run folder (its config.json is written when the run starts)."""
    folder = Path(text).expanduser()
    if not folder.is_dir():
        raise argparse.ArgumentTypeError(f"{text!r}: no such folder; name a run folder")
    if not (folder / "config.json").is_file():
        raise argparse.ArgumentTypeError(f"{text!r}: not a run folder (no config.json)")
    return folder
