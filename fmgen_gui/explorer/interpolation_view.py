"""InterpolationView: A and B, the slider from A to B, the image at the slider, the strip."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSlider,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from fmgen_gui.explorer.strip import LABEL_HEIGHT, StripView
from fmgen_gui.widgets.sample_grid import ImageCanvas, to_qimage
from trainer.common.pixels import to_uint8
from trainer.sampling.explore import OVERSHOOT

SLIDER_STEPS = 1000
PIN_ROLES = {
    "within": "as the within-class example",
    "between": "as the between-class example",
    "extra": "as an extra example",
}

PIN_TIP = "Keep this A-B path (method, overshoot, strip length) for the report of this run"


class InterpolationView(QWidget):
    """Views and controls of one interpolation; the pane decodes and feeds the images."""

    t_changed = Signal(float)
    options_changed = Signal()
    swap_requested = Signal()
    export_strip_requested = Signal()
    export_gif_requested = Signal()
    pin_requested = Signal(str)  # the role: 'within', 'between' or 'extra'
    class_clicked = Signal(int)  # a class in the row of A in every class

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.thumbs = {name: ImageCanvas() for name in "AB"}
        self.captions = {name: QLabel(f"{name}: pick an image", wordWrap=True) for name in "AB"}
        for canvas in self.thumbs.values():
            canvas.setFixedSize(72, 72)
        self.swap = QPushButton("Swap A and B")
        self.method = QComboBox()
        self.method.addItem("linear (lerp)", "linear")
        self.method.addItem("spherical (slerp)", "slerp")
        self.overshoot = QCheckBox(f"go {OVERSHOOT:g} past A and B")
        self.steps = QSpinBox(minimum=3, maximum=21, value=9, prefix="strip of ", suffix=" images")
        self.slider = QSlider(Qt.Orientation.Horizontal, minimum=0, maximum=SLIDER_STEPS)
        self.slider.setToolTip("Drag from A (left) to B (right)")
        self.t_label = QLabel("t = 0.00")
        self.large = ImageCanvas()
        self.large.setMinimumSize(180, 180)
        self.strip = StripView()
        self.class_row_title = QLabel(
            "A in every class, with the classifier's P(that class); click one to morph A into it"
        )
        self.class_row = StripView()
        self.class_row.label_height = 2 * LABEL_HEIGHT
        self.export_strip = QPushButton("Export strip…")
        self.export_gif = QPushButton("Export GIF…")
        self.pin_role = QComboBox()
        for role, text in PIN_ROLES.items():
            self.pin_role.addItem(text, role)
        self.pin = QPushButton("Pin for the report")
        self.pin.setToolTip(PIN_TIP)
        self._connect()
        self._layout()
        self.set_enabled(False)

    def _connect(self) -> None:
        self.swap.clicked.connect(self.swap_requested)
        self.method.currentIndexChanged.connect(self.options_changed)
        self.overshoot.toggled.connect(self.options_changed)
        self.steps.valueChanged.connect(self.options_changed)
        self.slider.valueChanged.connect(lambda _: self.t_changed.emit(self.t()))
        self.strip.t_clicked.connect(self.set_t)
        self.export_strip.clicked.connect(self.export_strip_requested)
        self.export_gif.clicked.connect(self.export_gif_requested)
        self.pin.clicked.connect(lambda: self.pin_requested.emit(self.pin_role.currentData()))
        self.class_row.clicked.connect(self.class_clicked)

    def _layout(self) -> None:
        ends = QGridLayout()
        for column, name in enumerate("AB"):
            ends.addWidget(self.thumbs[name], 0, 2 * column)
            ends.addWidget(self.captions[name], 0, 2 * column + 1)
        ends.addWidget(self.swap, 0, 4)
        options = QHBoxLayout()
        for widget in (self.method, self.overshoot, self.steps):
            options.addWidget(widget)
        options.addStretch()
        slider = QHBoxLayout()
        slider.addWidget(QLabel("A"))
        slider.addWidget(self.slider, stretch=1)
        slider.addWidget(QLabel("B"))
        slider.addWidget(self.t_label)
        exports = QHBoxLayout()
        for widget in (self.pin, self.pin_role):
            exports.addWidget(widget)
        exports.addStretch()
        exports.addWidget(self.export_strip)
        exports.addWidget(self.export_gif)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(ends)
        layout.addLayout(options)
        layout.addLayout(slider)
        layout.addWidget(self.large, stretch=3)
        layout.addWidget(self.strip, stretch=1)
        layout.addWidget(self.class_row_title)
        layout.addWidget(self.class_row, stretch=1)
        layout.addLayout(exports)
        self.show_class_row(None)

    def set_enabled(self, enabled: bool) -> None:
        """Controls work only once A and B are picked."""
        for widget in (self.slider, self.swap, self.export_strip, self.export_gif, self.pin):
            widget.setEnabled(enabled)

    def set_pin_problem(self, problem: str | None) -> None:
        """Pin works only for a pinnable pair; else its tooltip says why (e.g. no seeds)."""
        self.pin.setEnabled(problem is None)
        self.pin.setToolTip(PIN_TIP if problem is None else f"Cannot pin: {problem}")

    def clear(self) -> None:
        """No path: no image at the slider, no strip."""
        self.large.set_image(None)
        self.strip.clear()
        self.t_label.setText("t = -")

    def show_settings(self, method: str, overshoot: bool, steps: int, t: float) -> None:
        """Show a source's path settings without announcing them as changes."""
        widgets = (self.method, self.overshoot, self.steps, self.slider)
        for widget in widgets:
            widget.blockSignals(True)
        self.method.setCurrentIndex(max(self.method.findData(method), 0))
        self.overshoot.setChecked(overshoot)
        self.steps.setValue(steps)
        self.set_t(t)
        for widget in widgets:
            widget.blockSignals(False)

    def show_class_row(self, images: np.ndarray | None, captions: list[str] | None = None) -> None:
        """A's code decoded as every class (conditional models); None hides the row."""
        for widget in (self.class_row_title, self.class_row):
            widget.setVisible(images is not None)
        if images is None:
            self.class_row.clear()
        else:
            self.class_row.set_strip(images, np.arange(len(images), dtype=float), captions)

    def t(self) -> float:
        """The slider's parameter (0 at A, 1 at B; beyond when overshooting)."""
        reach = OVERSHOOT if self.overshoot.isChecked() else 0.0
        return -reach + (1 + 2 * reach) * self.slider.value() / SLIDER_STEPS

    def set_t(self, t: float) -> None:
        """Move the slider to `t` (clamped to its range)."""
        reach = OVERSHOOT if self.overshoot.isChecked() else 0.0
        position = round((t + reach) / (1 + 2 * reach) * SLIDER_STEPS)
        self.slider.setValue(min(max(position, 0), SLIDER_STEPS))

    def method_name(self) -> str:
        """'linear' or 'slerp'."""
        return self.method.currentData()

    def set_end(self, name: str, image: np.ndarray | None, caption: str) -> None:
        """Show end `name` ('A' or 'B'): its image (uint8) and caption."""
        self.thumbs[name].set_image(None if image is None else to_qimage(image))
        self.captions[name].setText(f"{name}: {caption}")

    def show_image(self, image: np.ndarray, t: float) -> None:
        """The decoded image (28, 28) in [0, 1] at the slider."""
        self.large.set_image(to_qimage(to_uint8(image)))
        self.t_label.setText(f"t = {t:.2f}")
        self.strip.set_current_t(t)
