"""What 'Watch a sample being made' asks of a conditional model or one with sampler dials: the
class its chain makes and the value of each dial (the guided DDPM's guidance weight w).

Both come from the model's registry entry (`ModelSpec.conditional`, `ModelSpec.dials`); a model
with neither shows nothing here.
"""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QDoubleSpinBox, QHBoxLayout, QWidget

from trainer.data.fashion_mnist import CLASSES
from trainer.registry import ModelSpec


class ChainOptions(QWidget):
    """A class picker (conditional models; 'no class' for the unconditional chain) and a spin
    box per sampler dial, rebuilt for each model."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.class_choice = QComboBox()
        self.class_choice.addItem("no class", None)
        for index, name in enumerate(CLASSES):
            self.class_choice.addItem(name, index)
        self.class_choice.setToolTip("The class the chain makes (no class: the model unguided)")
        self.dial_boxes: dict[str, QDoubleSpinBox] = {}
        self.row = QHBoxLayout(self)
        self.row.setContentsMargins(0, 0, 0, 0)
        self.row.addWidget(self.class_choice)
        self.set_model(None)

    def set_model(self, spec: ModelSpec | None) -> None:
        """Show the class picker if `spec` is conditional, and a box for each of its dials at
        its default."""
        for box in self.dial_boxes.values():
            box.deleteLater()
        self.dial_boxes = {}
        conditional = bool(spec and spec.conditional)
        self.class_choice.setVisible(conditional)
        if conditional:
            self.class_choice.setCurrentIndex(1)  # the first class: what the model is for
        for dial in spec.dials if spec else ():
            box = QDoubleSpinBox(minimum=dial.low, maximum=dial.high, decimals=2, singleStep=0.25)
            if dial.off:  # one step below the range stands for off (None), shown by its name
                box.setMinimum(dial.low - box.singleStep())
                box.setSpecialValueText(f"{dial.label} {dial.off}")
            box.setPrefix(f"{dial.label} ")
            box.setValue(box.minimum() if dial.default is None else dial.default)
            box.setToolTip(dial.help)
            self.row.addWidget(box)
            self.dial_boxes[dial.name] = box
        self.setVisible(conditional or bool(self.dial_boxes))

    def label(self) -> int | None:
        """The chosen class (None: no class, or the model is not conditional)."""
        return self.class_choice.currentData() if self.class_choice.isVisibleTo(self) else None

    def dials(self) -> dict[str, float | None]:
        """Each dial's chosen value, by name (None: off)."""
        return {
            name: None if box.specialValueText() and box.value() == box.minimum() else box.value()
            for name, box in self.dial_boxes.items()
        }
