"""Dataclasses, containers and numpy arrays kept in one .npz file that loads without pickle.

Unpickling runs whatever code the file names, and a file in a user's folders can be copied or
tampered with. Here the arrays go in as plain .npz entries (read with allow_pickle=False) and
everything else as one JSON document in which each value that JSON cannot hold names its kind:
a tuple, a dict (keys of any plain type), a path, an array, a numpy scalar, or a dataclass.
Loading builds only the dataclasses the caller allows, through their own constructors.
As in JSON, a subclass of str, int or float (torch.__version__, say) comes back as that type.
"""

from __future__ import annotations

import dataclasses
import json
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np

from trainer.common.files import atomic_path

DOCUMENT = "document"  # the .npz entry holding the JSON; the arrays are "0", "1", ...
_Classes = dict[str, type]  # the allowed dataclasses by name


def save_plain(path: Path, value: Any, form: str) -> None:
    """Write `value` to `path` atomically, marked as `form` (what load_plain expects)."""
    arrays: list[np.ndarray] = []
    document = json.dumps({"form": form, "value": _encode(value, arrays)})
    entries = {str(i): array for i, array in enumerate(arrays)}
    with atomic_path(path) as tmp, open(tmp, "wb") as handle:
        text = np.frombuffer(document.encode("utf-8"), dtype=np.uint8)
        # allow_pickle=False: an object array would be pickled; refuse it on the way in.
        np.savez(handle, allow_pickle=False, **entries, **{DOCUMENT: text})


def load_plain(path: Path, form: str, classes: Iterable[type]) -> Any:
    """The value save_plain wrote to `path` as `form`, building only the dataclasses `classes`.

    Raises OSError for a missing or unreadable file and ValueError for one that is damaged, of
    another form, or names a class not allowed; nothing in the file is executed.
    """
    try:
        with np.load(path, allow_pickle=False) as entries:
            document = json.loads(entries[DOCUMENT].tobytes().decode("utf-8"))
            if not isinstance(document, dict) or document.get("form") != form:
                raise ValueError(f"{path}: not a {form} file")
            arrays = {name: entries[name] for name in entries.files if name != DOCUMENT}
        return _decode(document["value"], arrays, {cls.__name__: cls for cls in classes})
    # What a damaged or tampered file can raise on the way (a zip that is not one, a missing
    # entry, a field the constructor does not take, JSON nested too deep): all one answer.
    except (zipfile.BadZipFile, EOFError, KeyError, TypeError, AttributeError, RecursionError) as e:
        raise ValueError(f"{path}: not a readable {form} file ({type(e).__name__})") from e


def _encode(value: Any, arrays: list[np.ndarray]) -> Any:
    if isinstance(value, np.ndarray | np.generic):  # first: np.float64 is also a float
        arrays.append(np.asarray(value))
        kind = "array" if isinstance(value, np.ndarray) else "scalar"
        return {kind: str(len(arrays) - 1)}
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list):
        return [_encode(item, arrays) for item in value]
    if isinstance(value, tuple):
        return {"tuple": [_encode(item, arrays) for item in value]}
    if isinstance(value, dict):
        return {"dict": [[_encode(k, arrays), _encode(v, arrays)] for k, v in value.items()]}
    if isinstance(value, Path):
        return {"path": str(value)}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = {f.name: _encode(getattr(value, f.name), arrays) for f in _fields(value)}
        return {"dataclass": type(value).__name__, "fields": fields}
    raise TypeError(f"cannot keep a {type(value).__name__} in a plain file")


def _fields(value: Any) -> list[dataclasses.Field]:
    """The fields its constructor takes: the ones the decoder passes back."""
    return [f for f in dataclasses.fields(value) if f.init]


def _decode(value: Any, arrays: dict[str, np.ndarray], classes: _Classes) -> Any:
    if not isinstance(value, dict):
        return [_decode(v, arrays, classes) for v in value] if isinstance(value, list) else value
    if len(value) != 1 and set(value) != {"dataclass", "fields"}:
        raise ValueError(f"not a kept value: {sorted(value)}")
    if "tuple" in value:
        return tuple(_decode(item, arrays, classes) for item in value["tuple"])
    if "dict" in value:
        return {_decode(k, arrays, classes): _decode(v, arrays, classes) for k, v in value["dict"]}
    if "path" in value:
        return Path(value["path"])
    if "array" in value:
        return arrays[value["array"]]
    if "scalar" in value:
        return arrays[value["scalar"]][()]
    if "dataclass" in value:
        if value["dataclass"] not in classes:
            raise ValueError(f"not an allowed class: {value['dataclass']!r}")
        fields = {k: _decode(v, arrays, classes) for k, v in value["fields"].items()}
        return classes[value["dataclass"]](**fields)
    raise ValueError(f"not a kept value: {sorted(value)}")
