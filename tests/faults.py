"""Broken inputs the fault tests share: each data fault, written into a fresh folder."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np

from tests.conftest import write_dataset
from trainer.data import FILES
from trainer.idx import write_idx

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
