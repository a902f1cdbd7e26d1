"""Shared fixtures: an isolated cache, small IDX files written here, the real data if present,
and the one way a test asks for a tool or the real data (skipped locally, a failure in CI)."""

from __future__ import annotations

import gc
import os
import shutil
import subprocess
from pathlib import Path
from typing import NoReturn

import numpy as np
import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from tests.runs import SMALL_NETWORKS
from trainer.config.device import configure_cpu_threads, cpu_count
from trainer.config.precision_probe import Measurement
from trainer.data.fashion_mnist import FILES, SYSTEM_DIR, FashionMNIST, load_fashion_mnist
from trainer.data.idx import write_idx


def share_the_cores_between_workers() -> None:
    """Under pytest-xdist (`make test` runs one worker per core), each worker's torch takes its
    share of the cores: every worker taking all of them would run workers x cores OpenMP
    threads on the cores, which wait on each other at every operation. FMGEN_THREADS carries
    the share into the runs and the subprocesses the tests start."""
    workers = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
    if workers > 1:
        os.environ["FMGEN_THREADS"] = str(max(1, cpu_count() // workers))
        configure_cpu_threads()


share_the_cores_between_workers()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests marked slow first: with one worker per core, the longest (the real-data classifier,
    minutes) then runs beside the others instead of alone at the end."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


@pytest.fixture(autouse=True)
def isolated_cache(tmp_path_factory, monkeypatch) -> Path:
    """Every test gets its own cache and no FMGEN_DATA_DIR, and can never download."""
    cache = tmp_path_factory.mktemp("cache")
    monkeypatch.setenv("FMGEN_CACHE_DIR", str(cache))
    monkeypatch.setenv("FMGEN_DATA_HOME", str(cache / "user-data"))  # pins.json of this test
    monkeypatch.delenv("FMGEN_DATA_DIR", raising=False)

    def no_download(target):
        raise OSError("downloads are disabled in the tests")

    monkeypatch.setattr("trainer.data.fashion_mnist._download", no_download)
    return cache


NEUTRAL_MEASUREMENT = Measurement(1.0, 0.0, 3, 10.0, 10.0, True, False, 0.0)


@pytest.fixture(autouse=True)
def neutral_precision_probe(monkeypatch) -> None:
    """`auto` precision finds bf16/fp16 no faster, so runs train in fp32 on every machine
    without paying for the probe (tests/trainer/config/test_precision.py puts the real probe
    back)."""
    monkeypatch.setattr(
        "trainer.training.loop.learner_probe", lambda *args: lambda mode: NEUTRAL_MEASUREMENT
    )


def synthetic_images(labels: np.ndarray, seed: int = 0) -> np.ndarray:
    """28x28 uint8 images where each class is a bright bar at its own place, plus noise."""
    rng = np.random.default_rng(seed)
    images = rng.integers(0, 40, size=(len(labels), 28, 28), dtype=np.uint8)
    for i, label in enumerate(labels):
        row = 2 + 2 * int(label)
        images[i, row : row + 4, 4:24] = 220
    return images


def write_dataset(folder: Path, train: int = 200, test: int = 100, gz: bool = True) -> Path:
    """Write the four IDX files of a small synthetic dataset into `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    suffix = ".gz" if gz else ""
    for split, count, seed in (("train", train, 0), ("test", test, 1)):
        labels = (np.arange(count) % 10).astype(np.uint8)
        write_idx(folder / (FILES[f"{split}_images"].name + suffix), synthetic_images(labels, seed))
        write_idx(folder / (FILES[f"{split}_labels"].name + suffix), labels)
    return folder


@pytest.fixture(scope="session")
def tiny_data_dir(tmp_path_factory) -> Path:
    """A folder with 200 train and 100 test synthetic images."""
    return write_dataset(tmp_path_factory.mktemp("tiny-data"))


@pytest.fixture(scope="session")
def tiny_data(tiny_data_dir) -> FashionMNIST:
    """The tiny dataset loaded."""
    return load_fashion_mnist(tiny_data_dir)


# The Debian package of each tool a test runs; .ci/run installs them all.
TOOL_PACKAGES = {
    "pdftotext": "poppler-utils",
    "pdftoppm": "poppler-utils",
    "pdfimages": "poppler-utils",
    "pdfinfo": "poppler-utils",
    "rsvg-convert": "librsvg2-bin",
    "xvfb-run": "xvfb",
}


def missing(what: str) -> NoReturn:
    """Skip for lack of `what` here; fail under CI=true, where .ci/run installs everything, so
    a skip there would hide a check that never ran."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{what}, but CI=true: .ci/run installs it, so this test may not skip")
    pytest.skip(what)


def require_tool(name: str) -> str:
    """The path of the command-line tool `name`; skips locally and fails in CI when absent."""
    found = shutil.which(name)
    if found is None:
        missing(f"{name} is not installed (Debian package {TOOL_PACKAGES[name]})")
    return found


def pdf_text(path: Path) -> str:
    """The text of a PDF by pdftotext, whitespace collapsed."""
    result = subprocess.run(
        [require_tool("pdftotext"), str(path), "-"], capture_output=True, text=True, check=True
    )
    return " ".join(result.stdout.split())


@pytest.fixture(autouse=True)
def needed_tools(request) -> None:
    """`@pytest.mark.needs_tool("pdftoppm")`: the test runs where the tool is (in CI: always)."""
    for marker in request.node.iter_markers("needs_tool"):
        require_tool(*marker.args)


def require_real_data() -> Path:
    """The Debian package's Fashion-MNIST; skips locally and fails in CI when absent."""
    if not all((SYSTEM_DIR / (spec.name + ".gz")).is_file() for spec in FILES.values()):
        missing(f"real Fashion-MNIST is not installed in {SYSTEM_DIR} (dataset-fashion-mnist)")
    return SYSTEM_DIR


@pytest.fixture(scope="session")
def real_data_dir() -> Path:
    """The real data's folder (require_real_data)."""
    return require_real_data()


@pytest.fixture(autouse=True)
def collect_qt_garbage_on_the_main_thread():
    """Free the last test's unreachable widgets here, on the main thread, before any worker runs.

    The tests build windows without fmgen_gui.app.main, so without its GUI-thread collector
    (fmgen_gui/garbage.py, tested in test_gui_garbage.py). Otherwise a garbage collection that
    happens to start on a worker thread (e.g. inside torch.save) destroys leftover Qt widgets
    there and deadlocks with the main thread (seen: QObject::~QObject on the training thread
    waiting for the GIL, the main thread for Qt's lock).
    """
    yield
    gc.collect()


@pytest.fixture
def small_networks(monkeypatch) -> None:
    """Small flow and DDPM networks (tests.runs.SMALL_NETWORKS), so runs of them are quick."""
    for target, value in SMALL_NETWORKS.items():
        monkeypatch.setattr(target, value)
