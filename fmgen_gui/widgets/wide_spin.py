"""WideSpinBox: a spin box for whole numbers beyond QSpinBox's 32 bits (seeds up to 2^63 - 1)."""

from __future__ import annotations

from PySide6.QtGui import QValidator
from PySide6.QtWidgets import QAbstractSpinBox, QWidget


class WideSpinBox(QAbstractSpinBox):
    """QSpinBox's behaviour (value(), setValue(), arrows, refused keystrokes) on Python ints."""

    def __init__(self, minimum: int, maximum: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._minimum, self._maximum = minimum, maximum
        self._value = minimum
        self.lineEdit().setText(str(minimum))
        self.lineEdit().textEdited.connect(self._take_text)
        self.editingFinished.connect(lambda: self.setValue(self._value))  # drop unfinished text

    def minimum(self) -> int:
        """The lowest value."""
        return self._minimum

    def maximum(self) -> int:
        """The highest value."""
        return self._maximum

    def value(self) -> int:
        """The value shown (an unfinished edit keeps the last whole one)."""
        return self._value

    def setValue(self, value: int) -> None:
        """Show `value`, clamped to the range."""
        self._value = max(self._minimum, min(self._maximum, int(value)))
        self.lineEdit().setText(str(self._value))

    def validate(self, text: str, pos: int) -> tuple[QValidator.State, str, int]:
        """Whole numbers in range are acceptable; a prefix of one may still be typed."""
        try:
            value = int(text)
        except ValueError:
            partial = text in ("", "-")  # the start of a number
            state = QValidator.State.Intermediate if partial else QValidator.State.Invalid
            return state, text, pos
        if (value > self._maximum and value > 0) or (value < self._minimum and value < 0):
            return QValidator.State.Invalid, text, pos  # more digits cannot bring it back
        if value < self._minimum or value > self._maximum:
            return QValidator.State.Intermediate, text, pos
        return QValidator.State.Acceptable, text, pos

    def interpretText(self) -> None:
        """Take the text typed, if it is a whole number in range."""
        self._take_text(self.lineEdit().text())

    def stepBy(self, steps: int) -> None:
        """The arrows and Page keys: one step each."""
        self.setValue(self._value + steps)

    def stepEnabled(self) -> QAbstractSpinBox.StepEnabledFlag:
        """Which arrows apply at the current value."""
        flags = QAbstractSpinBox.StepEnabledFlag.StepNone
        if self._value > self._minimum:
            flags |= QAbstractSpinBox.StepEnabledFlag.StepDownEnabled
        if self._value < self._maximum:
            flags |= QAbstractSpinBox.StepEnabledFlag.StepUpEnabled
        return flags

    def _take_text(self, text: str) -> None:
        if self.validate(text, 0)[0] == QValidator.State.Acceptable:
            self._value = int(text)
