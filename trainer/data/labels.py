"""The test set's class labels alone: 10,000 bytes, read where the images are not needed."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from trainer.common.errors import DataError
from trainer.data.fashion_mnist import CLASSES, FILES, locate
from trainer.data.idx import read_idx


def read_test_labels(data_dir: Path | str | None = None) -> np.ndarray:
    """The class of each test image (uint8), from the data folder `locate` finds; a DataError
    when it is missing or the file is not labels of Fashion-MNIST's classes."""
    path = locate(data_dir)[0]["test_labels"]
    labels = read_idx(path, FILES["test_labels"].ndim)
    if len(labels) and labels.max() >= len(CLASSES):
        raise DataError(f"{path}: label {int(labels.max())} is outside 0-9")
    return labels
