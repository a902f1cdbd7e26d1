"""The classifier's features of the test set, computed once per process for each classifier
and test set: a second evaluation in the app's session does not wait minutes for them again."""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Callable
from dataclasses import asdict

from trainer.common.pixels import to_unit
from trainer.data.fashion_mnist import Split
from trainer.metrics.classifier import ClassifierInfo, FashionClassifier
from trainer.metrics.distribution import Features, describe

# The latest (classifier, test set) and its features: one entry, ~5 MB for 10,000 images.
_LATEST: dict[tuple[str, str], Features] = {}
_LOCK = threading.Lock()  # the explorer's and the evaluation's jobs run on other threads


def real_features(
    classifier: FashionClassifier,
    info: ClassifierInfo,
    test: Split,
    cancel: threading.Event | None = None,
    progress: Callable[[float], None] | None = None,
) -> Features:
    """`describe` of the test images, or the features this process already has for the same
    classifier (its info: data fingerprint, seed, epochs, accuracy, version) and test set."""
    key = (json.dumps(asdict(info), sort_keys=True), split_digest(test))
    with _LOCK:
        known = _LATEST.get(key)
    if known is None:
        known = describe(classifier, to_unit(test.images), cancel, progress)
        with _LOCK:
            _LATEST.clear()
            _LATEST[key] = known
    elif progress:
        progress(1.0)
    return known


def split_digest(split: Split) -> str:
    """A short hash of a split's images and labels (FashionMNIST.fingerprint covers only the
    training split)."""
    digest = hashlib.sha256()
    digest.update(memoryview(split.images.numpy()))
    digest.update(memoryview(split.labels.numpy()))
    return digest.hexdigest()[:16]
