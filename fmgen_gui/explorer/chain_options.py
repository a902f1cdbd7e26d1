"""What 'Watch a sample being made' asks of a conditional model: the class its chain makes.

It comes from the model's registry entry (`ModelSpec.conditional`); a model that is not
conditional shows nothing here. The sampler's dials (the guided DDPM's guidance weight w) are
the explorer's sliders (`dial_state.DialSettings`), the one place the user sets them.
"""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QHBoxLayout, QWidget

from trainer.data.fashion_mnist import CLASSES
from trainer.registry import ModelSpec


class ChainOptions(QWidget):
    """A class picker for conditional models ('no class': the unconditional chain)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.class_choice = QComboBox()
        self.class_choice.addItem("no class", None)
        for index, name in enumerate(CLASSES):
            self.class_choice.addItem(name, index)
        self.class_choice.setToolTip("The class the chain makes (no class: the model unguided)")
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.class_choice)
        self.set_model(None)

    def set_model(self, spec: ModelSpec | None) -> None:
        """Show the class picker if `spec` is conditional, at its first class."""
        conditional = bool(spec and spec.conditional)
        self.class_choice.setVisible(conditional)
        if conditional:
            self.class_choice.setCurrentIndex(1)  # the first class: what the model is for
        self.setVisible(conditional)

    def label(self) -> int | None:
        """The chosen class (None: no class, or the model is not conditional)."""
        return self.class_choice.currentData() if self.class_choice.isVisibleTo(self) else None
