"""Integration with the real Fashion-MNIST files (CI installs dataset-fashion-mnist)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from trainer.classifier import load_or_train_classifier
from trainer.cli import main
from trainer.data import CLASSES, load_fashion_mnist

pytestmark = pytest.mark.real_data


def test_full_dataset_loads_and_is_verified(real_data_dir):
    data = load_fashion_mnist(real_data_dir)  # includes the SHA-256 content check
    assert data.train.images.shape == (60000, 28, 28) and len(data.test) == 10000
    assert np.bincount(data.train.labels.numpy()).tolist() == [6000] * 10
    assert np.bincount(data.test.labels.numpy()).tolist() == [1000] * 10
    assert data.classes == CLASSES and data.classes[9] == "Ankle boot"
    mean = data.train.images.float().mean().item() / 255
    assert 0.28 < mean < 0.29  # Fashion-MNIST's known pixel mean is 0.286 (MNIST: 0.131)


def test_smoke_run_on_the_real_files(real_data_dir, tmp_path):
    args = ["--model", "vae", "--epochs", "1", "--limit", "1000", "--device", "cpu"]
    assert main([*args, "--data-dir", str(real_data_dir), "--out", str(tmp_path)]) == 0
    (folder,) = tmp_path.iterdir()
    records = [json.loads(line) for line in (folder / "metrics.jsonl").read_text().splitlines()]
    test = next(r for r in records if r["type"] == "epoch")["test"]
    assert 200 < test["neg_elbo"] < 600  # learning has begun, nothing diverged


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_the_classifier_reaches_its_accuracy_on_the_real_data(real_data_dir):
    """The measuring instrument of the explorer and the report: >= 92% on the test set."""
    data = load_fashion_mnist(real_data_dir)
    _, info = load_or_train_classifier(data)  # the test's own cache: really trained here
    print(f"\nclassifier: {info.accuracy:.2%} test accuracy after {info.seconds:.0f} s")
    assert info.accuracy >= 0.92
    assert info.fingerprint == data.fingerprint() and info.epochs == 6
