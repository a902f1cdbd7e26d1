"""ModelStore: the trained models, side by side, as CPU copies loaded from checkpoints.

Models never cross threads: the training thread writes checkpoints, and the GUI thread reads
them back here when a pane needs a model.
"""

from __future__ import annotations

from pathlib import Path

import torch
from PySide6.QtCore import QObject, Signal

from trainer.checkpoint import Checkpoint, load_checkpoint
from trainer.learners import Learner, make_learner
from trainer.registry import model_names


class ModelStore(QObject):
    """Checkpoint path per model (any registered one); learners load lazily, cached per file."""

    changed = Signal(str)  # the registry name of the model whose checkpoint changed

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._paths: dict[str, Path] = {}
        self._cache: dict[str, tuple[tuple[Path, int], Learner, Checkpoint]] = {}

    def set_checkpoint(self, kind: str, path: Path | str) -> None:
        """Make `path` the current checkpoint of `kind` (it may change on disk later)."""
        self._paths[kind] = Path(path)
        self.changed.emit(kind)

    def checkpoint_path(self, kind: str) -> Path | None:
        """The current checkpoint file of `kind`, if any."""
        return self._paths.get(kind)

    def has(self, kind: str) -> bool:
        """True when a checkpoint of `kind` is known and on disk."""
        path = self._paths.get(kind)
        return path is not None and path.is_file()

    def available(self) -> list[str]:
        """Models with a checkpoint on disk, in registry order."""
        return [name for name in model_names() if self.has(name)]

    def load(self, kind: str) -> tuple[Learner, Checkpoint]:
        """The CPU learner and checkpoint of `kind` (raises CheckpointError or KeyError)."""
        path = self._paths[kind]
        version = (path, path.stat().st_mtime_ns)
        cached = self._cache.get(kind)
        if cached and cached[0] == version:
            return cached[1], cached[2]
        checkpoint = load_checkpoint(path, expect_model=kind)
        learner = make_learner(checkpoint.config.replace(device="cpu"), torch.device("cpu"))
        learner.load_state_dict(checkpoint.state)
        learner.model.eval()
        self._cache[kind] = (version, learner, checkpoint)
        return learner, checkpoint
