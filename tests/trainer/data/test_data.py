"""IDX reading, dataset lookup and the class-balanced limit, on files the tests write."""

from __future__ import annotations

import gzip
import shutil

import numpy as np
import pytest

from tests.conftest import write_dataset
from tests.faults import DATA_FAULTS, broken_data
from trainer.common.errors import DataError
from trainer.data import fashion_mnist as data_module
from trainer.data.fashion_mnist import (
    FILES,
    balanced_indices,
    fetch,
    how_to_get_data,
    load_fashion_mnist,
    locate,
)
from trainer.data.idx import read_idx, write_idx


@pytest.mark.parametrize("name", ["a-idx3-ubyte", "a-idx3-ubyte.gz"])
def test_idx_round_trip(tmp_path, name):
    array = np.arange(2 * 28 * 28, dtype=np.uint8).reshape(2, 28, 28)
    write_idx(tmp_path / name, array)
    assert np.array_equal(read_idx(tmp_path / name, 3), array)


def test_idx_truncated_raw(tmp_path):
    path = tmp_path / "t-idx3-ubyte"
    write_idx(path, np.zeros((5, 28, 28), np.uint8))
    path.write_bytes(path.read_bytes()[:-100])
    with pytest.raises(DataError, match=r"t-idx3-ubyte: truncated: the header promises 5 items"):
        read_idx(path, 3)


def test_idx_truncated_gzip(tmp_path):
    path = tmp_path / "t-idx3-ubyte.gz"
    write_idx(path, np.random.default_rng(0).integers(0, 255, (50, 28, 28), dtype=np.uint8))
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    with pytest.raises(DataError, match=r"t-idx3-ubyte.gz: the gzip data is truncated or corrupt"):
        read_idx(path, 3)


def test_idx_wrong_magic(tmp_path):
    path = tmp_path / "labels-idx1-ubyte"
    write_idx(path, np.zeros((3, 28, 28), np.uint8))  # an image file where labels are expected
    with pytest.raises(DataError, match=r"wrong IDX magic number 0x00000803 \(expected 0x00000801"):
        read_idx(path, 1)


def test_idx_wrong_count(tmp_path):
    path = tmp_path / "l-idx1-ubyte"
    write_idx(path, np.zeros(10, np.uint8))
    path.write_bytes(path.read_bytes() + b"\x01\x02")  # two items more than the header says
    with pytest.raises(DataError, match=r"2 unexpected bytes after the 10 items"):
        read_idx(path, 1)


def test_idx_too_short(tmp_path):
    path = tmp_path / "x-idx1-ubyte"
    path.write_bytes(b"\x00\x00")
    with pytest.raises(DataError, match="too short"):
        read_idx(path, 1)


def test_images_and_labels_must_match_in_count(tmp_path):
    folder = write_dataset(tmp_path / "d", train=50, test=20)
    write_idx(folder / (FILES["train_labels"].name + ".gz"), np.zeros(49, np.uint8))
    with pytest.raises(DataError, match=r"holds 50 images but .* holds 49 labels"):
        load_fashion_mnist(folder)


def test_labels_out_of_range(tmp_path):
    folder = write_dataset(tmp_path / "d", train=50, test=20)
    write_idx(folder / (FILES["test_labels"].name + ".gz"), np.full(20, 12, np.uint8))
    with pytest.raises(DataError, match="label 12 is outside 0-9"):
        load_fashion_mnist(folder)


def test_wrong_image_size(tmp_path):
    folder = write_dataset(tmp_path / "d", train=50, test=20)
    write_idx(folder / (FILES["test_images"].name + ".gz"), np.zeros((20, 32, 32), np.uint8))
    with pytest.raises(DataError, match=r"images are \(32, 32\), expected 28x28"):
        load_fashion_mnist(folder)


def test_full_size_files_of_another_dataset_are_refused(tmp_path):
    """MNIST has exactly Fashion-MNIST's sizes; the content check tells them apart."""
    folder = write_dataset(tmp_path / "d", train=60000, test=100)
    with pytest.raises(DataError, match="has the size of Fashion-MNIST but different content"):
        load_fashion_mnist(folder)


def test_loads_raw_files_in_torchvision_layout(tmp_path):
    folder = write_dataset(tmp_path / "root" / "FashionMNIST" / "raw", gz=False)
    data = load_fashion_mnist(tmp_path / "root")
    assert data.train.images.shape == (200, 28, 28)
    assert data.train.images.dtype.is_floating_point is False
    assert data.test.labels.tolist()[:3] == [0, 1, 2]
    assert str(folder.parent.parent.parent) in data.source


def test_explicit_folder_missing_files_names_them_and_the_ways(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(DataError) as info:
        load_fashion_mnist(tmp_path / "empty")
    message = str(info.value)
    assert "missing train-images-idx3-ubyte[.gz]" in message
    assert "apt-get install dataset-fashion-mnist" in message
    assert "--data-dir" in message and "fmgen-train --fetch-data" in message


def test_lookup_order_env_then_cache_then_system(tmp_path, monkeypatch, isolated_cache):
    system = write_dataset(tmp_path / "system", train=20, test=10)
    monkeypatch.setattr(data_module, "SYSTEM_DIR", system)
    assert "dataset-fashion-mnist" in locate()[1]
    cache = write_dataset(isolated_cache / "data", train=20, test=10)
    assert locate()[1].startswith(str(cache))
    env = write_dataset(tmp_path / "env", train=20, test=10)
    monkeypatch.setenv("FMGEN_DATA_DIR", str(env))
    assert locate()[1] == f"{env} (FMGEN_DATA_DIR)"
    explicit = write_dataset(tmp_path / "explicit", train=20, test=10)
    assert locate(explicit)[1] == f"{explicit} (--data-dir)"


def test_nothing_found_and_download_fails_says_every_way(tmp_path, monkeypatch):
    monkeypatch.setattr(data_module, "SYSTEM_DIR", tmp_path / "nowhere")
    with pytest.raises(DataError) as info:
        fetch(download=True)  # conftest makes every download fail
    message = str(info.value)
    assert "Fashion-MNIST was not found" in message
    assert "failed: downloads are disabled in the tests" in message
    assert "apt-get install dataset-fashion-mnist" in message and "--data-dir" in message


def test_a_partial_cache_falls_through_to_the_system_copy(tmp_path, monkeypatch, isolated_cache):
    system = write_dataset(tmp_path / "system", train=20, test=10)
    monkeypatch.setattr(data_module, "SYSTEM_DIR", system)
    partial = isolated_cache / "data"
    partial.mkdir()
    shutil.copy(system / (FILES["train_images"].name + ".gz"), partial)
    assert locate()[0]["train_labels"].parent == system


def test_corrupt_gzip_in_the_data_folder_names_the_file(tmp_path):
    folder = write_dataset(tmp_path / "d", train=50, test=20)
    (folder / (FILES["test_images"].name + ".gz")).write_bytes(gzip.compress(b"")[:5])
    with pytest.raises(DataError, match=r"t10k-images-idx3-ubyte\.gz"):
        load_fashion_mnist(folder)


@pytest.mark.parametrize(("fault", "message"), DATA_FAULTS.items())
def test_every_data_error_ends_with_the_ways_to_get_the_data(tmp_path, fault, message):
    with pytest.raises(DataError) as info:
        load_fashion_mnist(broken_data(tmp_path, fault))
    text = str(info.value)
    assert message in text and text.endswith(how_to_get_data()), text
    assert text.count("Ways to get Fashion-MNIST") == 1


def test_not_found_without_a_download_ends_with_the_ways(tmp_path, monkeypatch):
    monkeypatch.setattr(data_module, "SYSTEM_DIR", tmp_path / "nowhere")
    for find in (locate, lambda: fetch(download=False), lambda: fetch(download=True)):
        with pytest.raises(DataError) as info:
            find()
        assert str(info.value).endswith(how_to_get_data()), str(info.value)


def test_balanced_limit():
    labels = np.array([0] * 50 + [1] * 3 + list(range(2, 10)) * 10)
    picked = balanced_indices(labels, 55)
    counts = np.bincount(labels[picked], minlength=10)
    assert counts.sum() == 55
    assert counts[1] == 3  # a short class gives what it has; the others share its quota
    others = np.delete(counts, 1)
    assert others.max() - others.min() <= 1 and others.min() >= 5
    assert list(picked) == sorted(picked)


def test_limit_applies_to_both_splits(tiny_data_dir):
    data = load_fashion_mnist(tiny_data_dir, limit=30)
    assert len(data.train) == len(data.test) == 30
    assert np.bincount(data.train.labels.numpy(), minlength=10).tolist() == [3] * 10
