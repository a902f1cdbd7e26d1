"""PinsList: the interpolations pinned for the loaded runs (the report draws them), removable."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from trainer.data.fashion_mnist import image_name
from trainer.runs.pins import Pin, PinStore


def describe_pin(pin: Pin, label: str, test_labels: np.ndarray | None = None) -> str:
    """'VAE: within, test images Sneaker #12 to Sneaker #345 (slerp, 9 images)'; without
    `test_labels` (not loaded yet), or past their end, the image numbers alone."""
    ends, a, b = "latent draws of seeds", str(pin.a), str(pin.b)
    if pin.source == "test":
        ends = "test images"
        if test_labels is not None and max(pin.a, pin.b) < len(test_labels):
            a, b = image_name(test_labels, pin.a), image_name(test_labels, pin.b)
    extra = ", overshooting" if pin.overshoot else ""
    return f"{label}: {pin.role}, {ends} {a} to {b} ({pin.method}, {pin.steps} images{extra})"


class PinsList(QWidget):
    """Lists the pins of the runs shown; Remove unpins the selected one."""

    changed = Signal()

    def __init__(self, store: PinStore, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.runs: dict[str, str] = {}
        self.test_labels: np.ndarray | None = None  # the test set's classes, once loaded
        self.list = QListWidget()
        self.list.setMaximumHeight(90)
        self.empty = QLabel(
            "Nothing pinned: the report draws seeded random pairs (pin in Explore)."
        )
        self.remove_button = QPushButton("Remove")
        self.remove_button.setToolTip("Unpin the selected interpolation")
        self.remove_button.clicked.connect(self.remove_selected)
        self.list.currentRowChanged.connect(self._enable)
        top = QHBoxLayout()
        top.addWidget(QLabel("<b>Pinned interpolations</b>"))
        top.addStretch()
        top.addWidget(self.remove_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.list)
        layout.addWidget(self.empty)
        self._enable()

    def show_runs(self, runs: dict[str, str]) -> None:
        """Show the pins of `runs` (run key -> label)."""
        self.runs = runs
        self.list.clear()
        for key, label in runs.items():
            for pin in self.store.pins(key):
                item = QListWidgetItem(describe_pin(pin, label, self.test_labels))
                item.setData(Qt.ItemDataRole.UserRole, pin)
                self.list.addItem(item)
        self.empty.setVisible(self.list.count() == 0)
        self.list.setVisible(self.list.count() > 0)
        self._enable()

    def set_test_labels(self, labels: np.ndarray) -> None:
        """The test set's class labels (from Explore's load): the list names each image's class."""
        self.test_labels = labels
        self.show_runs(self.runs)

    def pins(self) -> list[Pin]:
        """The pins listed, in order."""
        return [self.list.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.list.count())]

    def remove_selected(self) -> None:
        """Unpin the selected pin."""
        item = self.list.currentItem()
        if item is None:
            return
        self.store.remove(item.data(Qt.ItemDataRole.UserRole))
        self.show_runs(self.runs)
        self.changed.emit()

    def _enable(self) -> None:
        self.remove_button.setEnabled(self.list.currentItem() is not None)
