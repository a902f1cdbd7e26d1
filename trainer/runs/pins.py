"""Interpolations the user pinned for the report, stored per user and keyed by run.

Pins live in the user's data folder, not in run folders: a run may be locked by training,
followed read-only or opened from an archive. The report and `fmgen-report --within/--between/
--latent-pair` read the same records, so the page's "Reproduce:" line reproduces it.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

from trainer.common.files import atomic_write_text, user_data_dir

ROLES = ("within", "between", "extra")  # within one class, between two, or another example
SOURCES = ("test", "latent")  # a, b are test-set indices, or seeds of latent draws
METHODS = ("lerp", "slerp")


@dataclass(frozen=True)
class Pin:
    """One pinned A-to-B path of one run."""

    run: str  # the run's identity: its folder name (see run_key)
    role: str
    source: str
    a: int
    b: int
    method: str = "slerp"
    overshoot: bool = False
    steps: int = 9

    def __post_init__(self) -> None:
        if self.role not in ROLES or self.source not in SOURCES or self.method not in METHODS:
            raise ValueError(f"not a valid pin: {self}")
        if self.steps < 2 or min(self.a, self.b) < 0:
            raise ValueError(f"not a valid pin: {self}")


def run_key(run_dir: Path | str) -> str:
    """A run's identity for pins: its folder name (timestamped, so unique per run)."""
    return Path(run_dir).resolve().name


class PinStore:
    """All pins of this user in one JSON file, written atomically on every change."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or user_data_dir() / "pins.json"
        self._pins = self._read()

    def _read(self) -> list[Pin]:
        try:
            records = json.loads(self.path.read_text(encoding="utf-8"))
            return [Pin(**record) for record in records]
        except (OSError, ValueError, TypeError):
            return []  # no file yet, or a damaged one: start empty rather than fail

    def pins(self, run: str) -> list[Pin]:
        """The pins of run `run`, main examples (within, between) first."""
        mine = [pin for pin in self._pins if pin.run == run]
        return sorted(mine, key=lambda pin: ROLES.index(pin.role))

    def add(self, pin: Pin) -> None:
        """Pin `pin`; a within/between pin replaces the run's previous one of that role."""
        if pin.role != "extra":
            self._pins = [p for p in self._pins if (p.run, p.role) != (pin.run, pin.role)]
        if pin not in self._pins:
            self._pins.append(pin)
        self._write()

    def remove(self, pin: Pin) -> None:
        """Unpin `pin` (nothing happens when it is not pinned)."""
        self._pins = [p for p in self._pins if p != pin]
        self._write()

    def _write(self) -> None:
        atomic_write_text(self.path, json.dumps([asdict(p) for p in self._pins], indent=1))
