"""PresetBar: one click for a random pair within a class, or between two classes."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QPushButton, QSpinBox, QWidget


def class_combo(classes: tuple[str, ...], current: int) -> QComboBox:
    """A combo box of class names whose data is the label."""
    combo = QComboBox()
    for label, name in enumerate(classes):
        combo.addItem(name, label)
    combo.setCurrentIndex(current)
    return combo


class PresetBar(QWidget):
    """`pair_requested(class_a, class_b)`; the same class twice means 'within'."""

    pair_requested = Signal(int, int)

    def __init__(self, classes: tuple[str, ...], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.within = class_combo(classes, 6)  # shirts: the class the seed's question names
        self.first = class_combo(classes, 7)  # a sneaker ...
        self.second = class_combo(classes, 8)  # ... and a bag
        self.within_button = QPushButton("Random pair within")
        self.between_button = QPushButton("Random pair between")
        self.within_button.setToolTip("Pick two random test images of this class as A and B")
        self.between_button.setToolTip("Pick a random image of each class as A and B")
        self.within_button.clicked.connect(
            lambda: self.pair_requested.emit(self.within.currentData(), self.within.currentData())
        )
        self.between_button.clicked.connect(
            lambda: self.pair_requested.emit(self.first.currentData(), self.second.currentData())
        )
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for widget in (
            self.within_button,
            self.within,
            QLabel("   "),
            self.between_button,
            self.first,
            QLabel("and"),
            self.second,
        ):
            layout.addWidget(widget)
        layout.addStretch()

    def set_classes_enabled(self, enabled: bool) -> None:
        """Class presets need class labels: test images or conditional samples."""
        for widget in (self.within_button, self.within, self.first, self.second):
            widget.setEnabled(enabled)
        self.between_button.setText("Random pair between" if enabled else "Random pair")


class ClassBar(QWidget):
    """Conditional models: `generate_requested(class, count)` asks for samples of one class."""

    generate_requested = Signal(int, int)

    def __init__(self, classes: tuple[str, ...], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.label = class_combo(classes, 3)
        self.count = QSpinBox(minimum=1, maximum=64, value=8, prefix="N = ")
        self.generate = QPushButton("Generate N of this class")
        self.generate.setToolTip(
            "Draw N seeded latent vectors and generate them as this class "
            "(added at the end of the gallery)"
        )
        self.generate.clicked.connect(
            lambda: self.generate_requested.emit(self.label.currentData(), self.count.value())
        )
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for widget in (QLabel("Class"), self.label, self.count, self.generate):
            layout.addWidget(widget)
        layout.addStretch()
