"""RunChoice: which runs the Evaluate tab takes (no Qt here beyond the store it reads)."""

from __future__ import annotations

from pathlib import Path

from fmgen_gui.model_store import ModelStore
from trainer.registry import all_models
from trainer.runs.checkpoint import CHECKPOINT_NAME
from trainer.runs.pins import run_key


class RunChoice:
    """The runs chosen in the Runs tab (a sweep, say), else the runs loaded in the other tabs."""

    def __init__(self, models: ModelStore) -> None:
        self.models = models
        self.chosen: dict[str, Path] | None = None  # checkpoints by run key; None: the loaded

    def choose(self, folders: list[Path] | None) -> None:
        """Take these run folders from now on; None: the loaded runs."""
        self.chosen = None
        if folders is not None:
            self.chosen = {run_key(f): Path(f) / CHECKPOINT_NAME for f in folders}

    def folders(self) -> list[Path] | None:
        """The run folders chosen in the Runs tab (None: the loaded runs are taken)."""
        return None if self.chosen is None else [path.parent for path in self.chosen.values()]

    def runs(self) -> dict[str, Path]:
        """The checkpoints to evaluate by run key (their folder's name): those chosen, else
        those the store holds, in registry order."""
        if self.chosen is not None:
            return dict(self.chosen)
        paths = [
            self.models.checkpoint_path(spec.name)
            for spec in all_models()
            if self.models.has(spec.name)
        ]
        return {run_key(path.parent): path for path in paths}
