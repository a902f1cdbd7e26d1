"""Broken inputs the fault tests share: each data fault in a fresh folder, and a full disk."""

from __future__ import annotations

import builtins
import errno
import gzip
import io
import os
from pathlib import Path

import numpy as np

from tests.conftest import write_dataset
from trainer.data.fashion_mnist import FILES
from trainer.data.idx import write_idx

# fault -> what the message must say (every one then ends with the ways to get the data)
DATA_FAULTS = {
    "missing folder": "no such folder",
    "missing file": "missing train-images-idx3-ubyte[.gz]",
    "truncated gz": "the gzip data is truncated or corrupt",
    "truncated raw file": "truncated: the header promises 60 items",
    "too short": "2 bytes is too short for an IDX header",
    "extra bytes": "2 unexpected bytes after the 60 items",
    "wrong image size": "images are (32, 32), expected 28x28",
    "wrong magic": "wrong IDX magic number",
    "wrong count": "holds 60 images but",
    "labels out of range": "label 17 is outside 0-9",
    "wrong dataset": "has the size of Fashion-MNIST but different content",
}


def broken_data(root: Path, fault: str) -> Path:
    """A data folder with one `fault`; returns the folder to point fmgen at."""
    folder = root / fault.replace(" ", "-")
    if fault == "missing folder":
        return folder
    write_dataset(folder, train=60000 if fault == "wrong dataset" else 60, test=20)
    train_images = folder / (FILES["train_images"].name + ".gz")
    train_labels = folder / (FILES["train_labels"].name + ".gz")
    if fault == "missing file":
        train_images.unlink()
    elif fault == "truncated gz":
        train_images.write_bytes(train_images.read_bytes()[:-200])
    elif fault == "truncated raw file":
        raw = train_images.with_suffix("")  # found before the .gz
        write_idx(raw, np.zeros((60, 28, 28), np.uint8))
        raw.write_bytes(raw.read_bytes()[:-100])
    elif fault == "too short":
        train_images.write_bytes(gzip.compress(b"\x00\x08"))
    elif fault == "extra bytes":
        train_labels.write_bytes(gzip.compress(gzip.decompress(train_labels.read_bytes()) + b"ab"))
    elif fault == "wrong image size":
        write_idx(train_images, np.zeros((60, 32, 32), np.uint8))
    elif fault == "wrong magic":
        train_images.write_bytes(gzip.compress(b"\x00\x00\x09\x03" + bytes(200)))
    elif fault == "wrong count":
        write_idx(train_labels, np.zeros(59, np.uint8))
    elif fault == "labels out of range":
        write_idx(train_labels, np.full(60, 17, np.uint8))
    return folder


def read_only_folder(monkeypatch, folder: Path) -> None:
    """Creating or writing a file in `folder` fails as on a read-only disk (EROFS).

    Unlike a folder's permission bits, which an administrator passes, a read-only disk stops
    every user, so tests that use this run as root too (CI runs as root). Faked at os.open,
    which tempfile and the writability check (trainer.cli.arguments.write_problem) go through.
    """
    real_open = os.open
    writes = os.O_CREAT | os.O_WRONLY | os.O_RDWR

    def read_only_open(path, flags, *args, **kwargs):
        if isinstance(path, (str, os.PathLike)) and flags & writes:
            where = Path(path)
            if folder in (where, where.parent):  # O_TMPFILE opens the folder itself
                raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(path))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", read_only_open)


class FullDisk:
    """Writes to files whose name contains `part` fail as on a full or read-only disk.

    The first `spare` such files are written normally. A full disk (ENOSPC) takes half of
    the next write and then fails, so a partly written file exists when the error arrives;
    a read-only disk (EROFS) refuses to open the file at all. Qt writes files natively, so
    only what Python opens is affected.
    """

    def __init__(self, monkeypatch, part: str, code: int = errno.ENOSPC, spare: int = 0) -> None:
        self.part, self.code, self.spare = part, code, spare
        self.failed: list[str] = []  # the paths whose writes failed
        self._open = builtins.open
        monkeypatch.setattr(builtins, "open", self.open)
        monkeypatch.setattr(io, "open", self.open)  # pathlib opens through io.open

    def open(self, file, mode="r", *args, **kwargs):
        """builtins.open, failing for the files this disk is full for."""
        named = isinstance(file, (str, os.PathLike)) and self.part in Path(file).name
        if not named or not set(mode) & set("wax"):
            return self._open(file, mode, *args, **kwargs)
        if self.spare:
            self.spare -= 1
            return self._open(file, mode, *args, **kwargs)
        self.failed.append(str(file))
        if self.code == errno.EROFS:
            raise OSError(self.code, os.strerror(self.code), str(file))
        return _FailingWrites(self._open(file, mode, *args, **kwargs), self.code)


class _FailingWrites:
    """A file whose writes stop half-way with an OSError."""

    def __init__(self, handle, code: int) -> None:
        self._handle, self._code = handle, code

    def write(self, data):
        self._handle.write(data[: len(data) // 2])
        raise OSError(self._code, os.strerror(self._code))

    def __getattr__(self, name: str):
        return getattr(self._handle, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc: object) -> None:
        self._handle.close()
