"""Values kept without pickle: they come back exactly, and a file cannot build anything else."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from trainer.common.plain_file import DOCUMENT, load_plain, save_plain
from trainer.runs.pins import Pin


@dataclass(frozen=True)
class _Inner:
    pin: Pin
    ends: tuple[np.ndarray, np.ndarray] | None


@dataclass
class _Outer:
    numbers: dict
    inner: list[_Inner]
    where: Path


def _outer() -> _Outer:
    ends = (np.arange(6, dtype=np.uint8).reshape(2, 3), np.linspace(0, 1, 4, dtype=np.float32))
    numbers = {
        "fid": np.float64(12.5),
        "flag": np.bool_(True),
        3: (1, "two", None, [4.0, math.nan]),
        (0, 1): {"deep": [np.int64(7)]},
    }
    pins = [Pin("run-a", "within", "test", 1, 2), Pin("run-b", "extra", "latent", 5, 9, "lerp")]
    return _Outer(numbers, [_Inner(pins[0], ends), _Inner(pins[1], None)], Path("/runs/x"))


def test_a_value_comes_back_with_its_types(tmp_path):
    path = tmp_path / "kept.npz"
    save_plain(path, _outer(), "test-form")
    back = load_plain(path, "test-form", [_Outer, _Inner, Pin])
    assert type(back) is _Outer and back.where == Path("/runs/x")
    assert list(back.numbers) == ["fid", "flag", 3, (0, 1)]  # keys of any type, in order
    assert type(back.numbers["fid"]) is np.float64 and back.numbers["fid"] == 12.5
    assert type(back.numbers["flag"]) is np.bool_
    first, nan = back.numbers[3], back.numbers[3][3][1]
    assert first[:3] == (1, "two", None) and type(first) is tuple and math.isnan(nan)
    assert back.numbers[(0, 1)] == {"deep": [7]}
    assert type(back.numbers[(0, 1)]["deep"][0]) is np.int64
    assert back.inner[0].pin == Pin("run-a", "within", "test", 1, 2) and back.inner[1].ends is None
    grid, line = back.inner[0].ends
    assert grid.dtype == np.uint8 and grid.tolist() == [[0, 1, 2], [3, 4, 5]]
    assert line.dtype == np.float32 and np.array_equal(line, np.float32([0, 1 / 3, 2 / 3, 1]))
    assert back.inner[1].pin == Pin("run-b", "extra", "latent", 5, 9, "lerp")


def test_what_cannot_be_kept_is_refused_on_save(tmp_path):
    with pytest.raises(TypeError, match="cannot keep a set"):
        save_plain(tmp_path / "kept.npz", {"a": {1, 2}}, "test-form")
    with pytest.raises(ValueError, match="Object arrays cannot be saved"):
        save_plain(tmp_path / "kept.npz", np.array([{}], dtype=object), "test-form")
    assert list(tmp_path.iterdir()) == []  # the atomic write left nothing behind


def _rewrite(path: Path, change) -> None:
    """Edit the JSON document of a kept file, as someone tampering with it would."""
    with np.load(path) as entries:
        arrays = {name: entries[name] for name in entries.files}
    document = json.loads(arrays[DOCUMENT].tobytes())
    text = json.dumps(change(document)).encode("utf-8")
    arrays[DOCUMENT] = np.frombuffer(text, dtype=np.uint8)
    with open(path, "wb") as handle:
        np.savez(handle, **arrays)


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (lambda d: {**d, "form": "other"}, "not a test-form file"),
        (lambda d: {**d, "value": {"dataclass": "Path", "fields": {}}}, "not an allowed class"),
        (lambda d: {**d, "value": {"dataclass": "_Inner", "fields": {"x": 1}}}, "TypeError"),
        (lambda d: {**d, "value": {"module": "os", "call": "system"}}, "not a kept value"),
        (lambda d: {**d, "value": {"array": "99"}}, "KeyError"),
        (lambda d: [], "not a test-form file"),
    ],
)
def test_a_tampered_document_is_refused(tmp_path, change, words):
    path = tmp_path / "kept.npz"
    save_plain(path, _outer(), "test-form")
    _rewrite(path, change)
    with pytest.raises(ValueError, match=words):
        load_plain(path, "test-form", [_Outer, _Inner, Pin])


@pytest.mark.parametrize("content", [b"", b"PK\x03\x04 cut short", b"\x93NUMPY junk"])
def test_a_damaged_file_is_a_value_error(tmp_path, content):
    path = tmp_path / "kept.npz"
    path.write_bytes(content)
    with pytest.raises(ValueError):
        load_plain(path, "test-form", [_Outer])
