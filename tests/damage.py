"""Damage done to one file of a run folder, for the tests that every reader survives it.

A half-synced copy, a full disk, a hand edit or a bad sector leave exactly these: a file cut
short, changed bytes, JSON of another type, a file gone, a folder or a symlink loop in its place.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

# The files of a finished run that a reader opens (its empty .lock is probed only while the run
# says it is running: test_run_folder_damage damages it in such a run).
RUN_FILES = (
    "config.json",
    "metrics.jsonl",
    "run.json",
    "metrics.json",
    "checkpoint.pt",
    "checkpoints/epoch_001.pt",
    "samples/epoch_001.png",
)
JSON_FILES = ("config.json", "run.json", "metrics.json")
KINDS = (
    "truncate",  # arg: the fraction of the bytes kept, in [0, 1)
    "corrupt",  # arg: ((position, xor mask), ...), positions taken modulo the size
    "not utf-8",  # arg: where a 0xFF byte goes
    "json type",  # arg: a JSON value of another type than the file's
    "field type",  # arg: (field number, a JSON value) put in place of one top-level field
    "delete",
    "directory",
    "symlink loop",
)


@dataclass(frozen=True)
class Damage:
    """One kind of damage to one file of a run folder."""

    file: str  # relative to the run folder, one of RUN_FILES or ".lock"
    kind: str  # one of KINDS
    arg: object = None

    def apply(self, folder: Path) -> None:
        """Damage `folder / file` in place."""
        path = folder / self.file
        data = path.read_bytes()
        if self.kind in ("delete", "directory", "symlink loop"):
            path.unlink()
            if self.kind == "directory":
                path.mkdir()
            elif self.kind == "symlink loop":
                os.symlink(path.name, path)  # a link to itself: ELOOP on every open
        elif self.kind == "truncate":
            path.write_bytes(data[: int(len(data) * self.arg)])
        elif self.kind == "corrupt":
            changed = bytearray(data)
            for position, mask in self.arg:
                changed[position % len(changed)] ^= mask
            path.write_bytes(bytes(changed))
        elif self.kind == "not utf-8":
            at = int(self.arg) % (len(data) + 1)
            path.write_bytes(data[:at] + b"\xff" + data[at:])
        elif self.kind == "json type":
            path.write_text(json.dumps(self.arg))
        elif self.kind == "field type":
            document = json.loads(data)
            number, value = self.arg
            document[sorted(document)[number % len(document)]] = value
            path.write_text(json.dumps(document))
        else:
            raise ValueError(f"unknown damage {self.kind!r}")


def copy_run(run: Path, target: Path) -> Path:
    """A private copy of `run` at `target` (symlinks copied as links)."""
    return Path(shutil.copytree(run, target, symlinks=True))


def folder_digest(folder: Path) -> dict[str, str]:
    """Every entry under `folder` by relative path: a file's SHA-256, a link's target, 'dir'."""
    digest = {}
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder).as_posix()
        if path.is_symlink():
            digest[relative] = "link to " + os.readlink(path)
        elif path.is_dir():
            digest[relative] = "dir"
        else:
            digest[relative] = hashlib.sha256(path.read_bytes()).hexdigest()
    return digest


# Damage that makes a run unreadable to the Runs view: one of issue 23 first (a metrics.json
# that is JSON, but a list), then one of each other kind. A damaged sample PNG (issue 23's
# other) is no longer among them: the Runs view decodes no grid, and Open says it is damaged.
ROW_DAMAGES = (
    Damage("metrics.json", "json type", [1, 2]),
    Damage("config.json", "truncate", 0.5),
    Damage("config.json", "json type", "vae"),
    Damage("config.json", "field type", (0, [1])),
    Damage("config.json", "not utf-8", 0),
    Damage("config.json", "directory"),
    Damage("config.json", "symlink loop"),
    Damage("metrics.json", "field type", (0, [1])),
    Damage("metrics.jsonl", "directory"),
    Damage("metrics.json", "truncate", 0.0),
)
