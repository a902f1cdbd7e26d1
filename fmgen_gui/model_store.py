"""ModelStore: where the trained models are, side by side, for the panes that read them.

Models never cross threads: the training thread writes checkpoints and, at each epoch's end,
an immutable snapshot of it (trainer.runs.snapshots). Readers load the newest snapshot of the path
kept here, each once, in their own background job (trainer.runs.loading.load_learner), so no
reader ever combines half of one epoch with half of the next.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Signal

from trainer.registry import model_names


class ModelStore(QObject):
    """The checkpoint path of each model (any registered one), and a signal when one changes."""

    changed = Signal(str)  # the registry name of the model whose checkpoint changed

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._paths: dict[str, Path] = {}

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
