"""DialBar: a slider per sampler dial of the shown model, and the progress of redrawing with it.

A view: the dials and their values come in through `show_dials`, the user's turn goes out as
`turned(name, value)` once the slider is let go (or moved by the keyboard), so a drag redraws
once, not at every step it passes.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QSlider, QWidget

from fmgen_gui.explorer.dial_state import dial_caption, position_of, slider_top, value_at
from trainer.registry import SamplingDial


class DialSlider(QWidget):
    """One dial: its label and value above a slider from its low to its high end (and 'off')."""

    turned = Signal(str, object)  # the dial's name and its new value (None: off)

    def __init__(self, dial: SamplingDial, value: float | None, parent: QWidget | None = None):
        super().__init__(parent)
        self.dial = dial
        self.caption = QLabel()
        self.slider = QSlider(Qt.Orientation.Horizontal, minimum=0, maximum=slider_top(dial))
        self.slider.setMinimumWidth(160)
        ends = f"{dial.low:g} to {dial.high:g}" + (f", then {dial.off}" if dial.off else "")
        self.setToolTip(f"{dial.help} ({ends})".strip() if dial.help else ends)
        self.slider.setValue(position_of(dial, value))
        self._show(self.slider.value())
        self.slider.valueChanged.connect(self._on_moved)
        self.slider.sliderReleased.connect(lambda: self._emit(self.slider.value()))
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.caption)
        layout.addWidget(self.slider, stretch=1)

    @property
    def value(self) -> float | None:
        """The value the slider is at."""
        return value_at(self.dial, self.slider.value())

    def _show(self, position: int) -> None:
        self.caption.setText(dial_caption(self.dial, value_at(self.dial, position)))

    def _on_moved(self, position: int) -> None:
        self._show(position)
        if not self.slider.isSliderDown():  # a click on the groove, a key, or a test
            self._emit(position)

    def _emit(self, position: int) -> None:
        self.turned.emit(self.dial.name, value_at(self.dial, position))


class DialBar(QWidget):
    """The shown model's dial sliders (hidden for a model without dials) and a progress bar
    with Cancel while the gallery is redrawn at the new values."""

    turned = Signal(str, object)  # a dial's name and its new value
    cancel_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.sliders: dict[str, DialSlider] = {}
        self.progress = QProgressBar(maximum=100, visible=False)
        self.cancel = QPushButton("Cancel", visible=False)
        self.cancel.clicked.connect(self.cancel_requested)
        self.note = QLabel()
        self.row = QHBoxLayout(self)
        self.row.setContentsMargins(0, 0, 0, 0)
        for widget in (self.progress, self.cancel, self.note):
            self.row.addWidget(widget)
        self.setVisible(False)

    def show_dials(self, dials: tuple[SamplingDial, ...], values: dict[str, float | None]) -> None:
        """A slider per dial at its value (none: the bar hides)."""
        for slider in self.sliders.values():
            self.row.removeWidget(slider)
            slider.deleteLater()
        self.sliders = {}
        for index, dial in enumerate(dials):
            slider = DialSlider(dial, values[dial.name], self)
            slider.turned.connect(self.turned)
            self.row.insertWidget(index, slider, stretch=1)
            self.sliders[dial.name] = slider
        self.setVisible(bool(dials))

    def show_progress(self, fraction: float | None, text: str = "") -> None:
        """The redraw's progress (None: not redrawing) and what it is doing or did."""
        busy = fraction is not None
        self.progress.setVisible(busy)
        self.cancel.setVisible(busy)
        self.progress.setValue(round((fraction or 0.0) * 100))
        self.note.setText(text)
