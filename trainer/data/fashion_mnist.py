"""Find, check and load Fashion-MNIST into memory as uint8 tensors (no PIL, no workers)."""

from __future__ import annotations

import hashlib
import os
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from trainer.common.errors import DataError, raise_if_cancelled
from trainer.common.files import user_cache_dir
from trainer.data.idx import read_idx

CLASSES = (
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
)


def image_name(labels: np.ndarray | torch.Tensor, index: int) -> str:
    """'Shirt #123': test image `index` by its class (from `labels`) and its number."""
    return f"{CLASSES[int(labels[index])]} #{index}"


SYSTEM_DIR = Path("/usr/share/datasets/fashion-mnist")  # Debian package dataset-fashion-mnist
ENV_VAR = "FMGEN_DATA_DIR"


@dataclass(frozen=True)
class IdxFile:
    """One of the four files: its name, dimensionality and the official payload."""

    name: str
    ndim: int
    count: int
    sha256: str  # of the payload after the header, so recompressed .gz files still match


FILES = {
    "train_images": IdxFile(
        "train-images-idx3-ubyte",
        3,
        60000,
        "2e487a6c89124f78f2d7521542223cafe96f7123c3ca13d447772ac6ecbb3012",
    ),
    "train_labels": IdxFile(
        "train-labels-idx1-ubyte",
        1,
        60000,
        "657fbd221bfc9f4198cc14b5619cc33ec57c58dd0e47af4d99d6650759e869a7",
    ),
    "test_images": IdxFile(
        "t10k-images-idx3-ubyte",
        3,
        10000,
        "c867c93ff95360594e8ec3287995350b824dd110b11595c0e13d5423f621867a",
    ),
    "test_labels": IdxFile(
        "t10k-labels-idx1-ubyte",
        1,
        10000,
        "3d0e6c6ea990b53b6f8f500a41cac93881d981b315f84578b7d915342ade01e9",
    ),
}


@dataclass(frozen=True)
class Split:
    """Images (N, 28, 28) uint8 and labels (N,) int64 of one split."""

    images: torch.Tensor
    labels: torch.Tensor

    def __len__(self) -> int:
        return len(self.labels)

    def subset(self, indices: np.ndarray) -> Split:
        """The images and labels at `indices`."""
        index = torch.as_tensor(indices, dtype=torch.long)
        return Split(self.images[index], self.labels[index])


@dataclass(frozen=True)
class FashionMNIST:
    """The whole dataset in memory, with where it came from."""

    train: Split
    test: Split
    source: str
    classes: tuple[str, ...] = CLASSES

    def fingerprint(self) -> str:
        """A short hash of the training split: what a cached model was trained on."""
        digest = hashlib.sha256()
        digest.update(memoryview(self.train.images.numpy()))
        digest.update(memoryview(self.train.labels.numpy()))
        return digest.hexdigest()[:16]


def data_cache_dir() -> Path:
    """Where a downloaded copy lives."""
    return user_cache_dir() / "data"


@dataclass(frozen=True)
class DataWays:
    """How a person downloads the data or names a folder, in the words of where they are."""

    download: str
    folder: str


TERMINAL_WAYS = DataWays("fmgen-train --fetch-data", f"--data-dir DIR or {ENV_VAR}=DIR")


def how_to_get_data(ways: DataWays = TERMINAL_WAYS) -> str:
    """The ways to obtain Fashion-MNIST, for error messages."""
    return (
        "Ways to get Fashion-MNIST:\n"
        "  - Debian/Ubuntu: sudo apt-get install dataset-fashion-mnist "
        f"(installs {SYSTEM_DIR})\n"
        f"  - download it (needs the internet): {ways.download} (into {data_cache_dir()})\n"
        f"  - use a folder holding the four *-ubyte or *-ubyte.gz files: {ways.folder}"
    )


def data_error(problem: str) -> DataError:
    """A DataError saying `problem` and then the ways to get the data, as every data error does."""
    return DataError(f"{problem}\n{how_to_get_data()}", problem)


def find_files(folder: Path) -> dict[str, Path]:
    """The dataset files found in `folder` (or its torchvision `FashionMNIST/raw`), by key."""
    found: dict[str, Path] = {}
    for sub in (folder, folder / "FashionMNIST" / "raw", folder / "raw"):
        for key, spec in FILES.items():
            for name in (spec.name, spec.name + ".gz"):  # raw first: no decompression needed
                if key not in found and (sub / name).is_file():
                    found[key] = sub / name
        if len(found) == len(FILES):
            break
    return found


def _missing(folder: Path, found: dict[str, Path]) -> str:
    names = ", ".join(FILES[k].name + "[.gz]" for k in FILES if k not in found)
    return f"{folder}: missing {names}"


def check_data_folder(folder: Path, name: str) -> dict[str, Path]:
    """The four files in `folder`; else a DataError that names the setting by `name` (a flag
    such as '--data-dir', or the app's field label 'Data folder')."""
    if not folder.is_dir():
        raise DataError(f"{name} {folder}: no such folder.")
    found = find_files(folder)
    if len(found) < len(FILES):
        raise DataError(f"{name} {_missing(folder, found)}")
    return found


def _find(data_dir: Path | str | None) -> tuple[dict[str, Path], str]:
    """`locate` without the ways to get the data: its DataError says only what is wrong."""
    explicit = data_dir or os.environ.get(ENV_VAR)
    if explicit:
        folder = Path(explicit).expanduser()
        how = "--data-dir" if data_dir else ENV_VAR
        return check_data_folder(folder, how), f"{folder} ({how})"
    looked = []
    for folder, how in ((data_cache_dir(), "user cache"), (SYSTEM_DIR, "dataset-fashion-mnist")):
        found = find_files(folder)
        if len(found) == len(FILES):
            return found, f"{folder} ({how})"
        looked.append(_missing(folder, found) if found else f"{folder}: not there")
    raise DataError("Fashion-MNIST was not found.\nLooked in:\n  " + "\n  ".join(looked))


def locate(data_dir: Path | str | None = None) -> tuple[dict[str, Path], str]:
    """Find the four files in the documented order; return them and a description.

    An explicit folder (argument or FMGEN_DATA_DIR) is the only place looked at when given,
    so a typo is reported instead of silently training on other data.
    """
    try:
        return _find(data_dir)
    except DataError as exc:
        raise data_error(str(exc)) from exc


def fetch(download: bool = True) -> tuple[dict[str, Path], str]:
    """Locate the data; if it is nowhere and `download` is true, download it into the cache."""
    try:
        return _find(None)
    except DataError as not_found:
        if not download:
            raise data_error(str(not_found)) from not_found
        target = data_cache_dir()
        try:
            _download(target)
        except Exception as exc:  # network, disk or checksum failures all end the same way
            raise data_error(f"{not_found}\nThe download into {target} failed: {exc}") from exc
        return locate()


def _download(target: Path) -> None:
    """torchvision's download of both splits into `target` (checked against its md5s)."""
    from torchvision.datasets import FashionMNIST as TorchvisionFashionMNIST

    TorchvisionFashionMNIST(root=str(target), train=True, download=True)
    TorchvisionFashionMNIST(root=str(target), train=False, download=True)


def _check_official(array: np.ndarray, spec: IdxFile, path: Path) -> None:
    """Full-size files must be the real Fashion-MNIST, not MNIST or KMNIST (same sizes)."""
    if len(array) != spec.count:
        return  # a custom subset: shapes and labels are still checked
    digest = hashlib.sha256(memoryview(np.ascontiguousarray(array))).hexdigest()
    if digest != spec.sha256:
        raise DataError(
            f"{path}: has the size of Fashion-MNIST but different content "
            "(is it MNIST, KMNIST or another dataset in the same format?)"
        )


def read_split(
    images_path: Path, labels_path: Path, prefix: str, cancel: threading.Event | None = None
) -> Split:
    """Read and check one split's files (cancellable); errors end with the ways to get them."""
    try:
        return _checked_split(images_path, labels_path, prefix, cancel)
    except DataError as exc:
        raise data_error(str(exc)) from exc


def _checked_split(
    images_path: Path, labels_path: Path, prefix: str, cancel: threading.Event | None
) -> Split:
    """The checks of `read_split`; its DataErrors say only what is wrong."""
    raise_if_cancelled(cancel)
    images = read_idx(images_path, FILES[f"{prefix}_images"].ndim)
    raise_if_cancelled(cancel)
    labels = read_idx(labels_path, FILES[f"{prefix}_labels"].ndim)
    if images.shape[1:] != (28, 28):
        raise DataError(f"{images_path}: images are {images.shape[1:]}, expected 28x28")
    if len(images) != len(labels):
        raise DataError(
            f"{images_path} holds {len(images)} images but {labels_path} holds "
            f"{len(labels)} labels: the files do not belong together"
        )
    if len(labels) and labels.max() >= len(CLASSES):
        raise DataError(f"{labels_path}: label {int(labels.max())} is outside 0-9")
    raise_if_cancelled(cancel)
    _check_official(images, FILES[f"{prefix}_images"], images_path)
    _check_official(labels, FILES[f"{prefix}_labels"], labels_path)
    return Split(torch.from_numpy(images.copy()), torch.from_numpy(labels.astype(np.int64)))


def balanced_indices(labels: np.ndarray, limit: int) -> np.ndarray:
    """The indices of `limit` images, taken round robin over the classes in file order."""
    rank = np.empty(len(labels), dtype=np.int64)  # position of each image within its class
    for label in np.unique(labels):
        members = labels == label
        rank[members] = np.arange(members.sum())
    order = np.lexsort((labels, rank))  # first every class's first image, then the second...
    return np.sort(order[:limit])


def load_fashion_mnist(
    data_dir: Path | str | None = None,
    limit: int | None = None,
    download: bool = False,
    cancel: threading.Event | None = None,
) -> FashionMNIST:
    """Load both splits (optionally `limit` images per split, class-balanced).

    `cancel` is checked between files and checks (each well under a second); a download, when
    needed, runs to its end (torchvision offers no way to interrupt it).
    """
    files, source = locate(data_dir) if data_dir else fetch(download)
    train = read_split(files["train_images"], files["train_labels"], "train", cancel)
    test = read_split(files["test_images"], files["test_labels"], "test", cancel)
    if limit is not None:
        train = train.subset(balanced_indices(train.labels.numpy(), limit))
        test = test.subset(balanced_indices(test.labels.numpy(), limit))
    return FashionMNIST(train=train, test=test, source=source)
