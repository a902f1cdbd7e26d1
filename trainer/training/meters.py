"""Image-weighted running means of a run's losses (per epoch and per logging interval)."""

from __future__ import annotations

from typing import Any

from trainer.common.keys import is_count


class Meter:
    """Image-weighted running means of named losses; its state goes into checkpoints."""

    def __init__(self, state: dict[str, Any] | None = None) -> None:
        self.images = int(state["images"]) if state else 0
        self.sums: dict[str, float] = dict(state["sums"]) if state else {}

    def add(self, values: dict[str, float], images: int) -> None:
        """Count one batch."""
        self.images += images
        for name, value in values.items():
            if is_count(name):  # a running count: its mean over the batches would mislead
                self.sums[name] = value * self.images
            else:
                self.sums[name] = self.sums.get(name, 0.0) + value * images

    def means(self) -> dict[str, float]:
        """Means so far (empty before the first batch)."""
        return {name: total / self.images for name, total in self.sums.items()}

    def state(self) -> dict[str, Any]:
        """Plain values for a checkpoint."""
        return {"images": self.images, "sums": dict(self.sums)}
