"""Read and write IDX files (the format of MNIST and Fashion-MNIST), checking every field."""

from __future__ import annotations

import gzip
import struct
import zlib
from pathlib import Path

import numpy as np

from trainer.common.errors import DataError

UBYTE = 0x08  # the only element type Fashion-MNIST uses


def _read_bytes(path: Path) -> bytes:
    try:
        if path.suffix == ".gz":
            with gzip.open(path, "rb") as handle:
                return handle.read()
        return path.read_bytes()
    except (EOFError, gzip.BadGzipFile, zlib.error) as exc:
        raise DataError(f"{path}: the gzip data is truncated or corrupt ({exc})") from exc
    except OSError as exc:
        raise DataError(f"{path}: cannot be read ({exc.strerror or exc})") from exc


def read_idx(path: Path, ndim: int) -> np.ndarray:
    """Return the uint8 array stored in the IDX file `path`, which must have `ndim` dims."""
    raw = _read_bytes(path)
    magic_expected = (UBYTE << 8) | ndim
    if len(raw) < 4:
        raise DataError(f"{path}: {len(raw)} bytes is too short for an IDX header")
    (magic,) = struct.unpack(">I", raw[:4])
    if magic != magic_expected:
        raise DataError(
            f"{path}: wrong IDX magic number 0x{magic:08x} (expected 0x{magic_expected:08x}, "
            f"unsigned bytes in {ndim} dimension{'s' if ndim > 1 else ''}); "
            "this is not the file its name says"
        )
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise DataError(f"{path}: the header is truncated ({len(raw)} of {header} bytes)")
    dims = struct.unpack(f">{ndim}I", raw[4:header])
    size = header + int(np.prod(dims, dtype=np.int64))
    if len(raw) < size:
        raise DataError(
            f"{path}: truncated: the header promises {dims[0]} items ({size} bytes) "
            f"but the file holds {len(raw)} bytes"
        )
    if len(raw) > size:
        raise DataError(
            f"{path}: {len(raw) - size} unexpected bytes after the {dims[0]} items "
            "the header announces (wrong count in the header?)"
        )
    return np.frombuffer(raw, dtype=np.uint8, offset=header).reshape(dims)


def write_idx(path: Path, array: np.ndarray) -> None:
    """Write a uint8 array as an IDX file (gzip-compressed when `path` ends in .gz)."""
    data = np.ascontiguousarray(array, dtype=np.uint8)
    header = struct.pack(">I", (UBYTE << 8) | data.ndim) + struct.pack(
        f">{data.ndim}I", *data.shape
    )
    payload = header + data.tobytes()
    if path.suffix == ".gz":
        payload = gzip.compress(payload, compresslevel=1)
    path.write_bytes(payload)
