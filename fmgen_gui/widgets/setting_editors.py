"""One form editor per run setting, made from its declaration in trainer/config/settings.py.

The declaration says what a setting is (type, range, choices, label, help); this module only
adds how it looks (steps, decimals, captions), so a new setting needs no code here unless it
wants a look of its own.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtGui import QDoubleValidator
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QHBoxLayout,
    QLineEdit,
    QSpinBox,
    QWidget,
)

from fmgen_gui.widgets.field_marks import clear_invalid, mark_invalid
from fmgen_gui.widgets.wide_spin import WideSpinBox
from trainer.common.errors import ConfigError
from trainer.config.settings import (
    field_choices,
    field_label,
    field_optional,
    field_range,
    field_type,
)
from trainer.data.domains import DOMAIN_PAIRS

QSPINBOX_MAX = 2**31 - 1  # QSpinBox holds a C int; wider ranges take a WideSpinBox
# (arrow step, decimals) of number boxes whose look is not one whole number per step.
STEPS = {
    "beta": (0.1, 3),
    "gp_weight": (1.0, 2),
    "batch_size": (32, 0),
    "limit": (1000, 0),
    "ct_weight": (0.5, 2),
    "p_uncond": (0.05, 2),
    "cycle_weight": (1.0, 2),
}
SUFFIXES = {"limit": " images/split"}
CAPTIONS = {"binarize": "pixels (for NLL tables)", "limit": "only"}
# A choice's values in words where the value is a token for the command line.
CHOICE_WORDS = {"domains": {name: f"{p.a} <-> {p.b}" for name, p in DOMAIN_PAIRS.items()}}
OFF_SHOWS = {"limit": 6000}  # what an optional number's box shows while it is off
BETA_MAX = 0.9999  # Adam's decay rates are below 1


@dataclass
class SettingEditor:
    """A setting's row in the form: the widget to lay out, its named parts, and how to show a
    value and read it back (read raises ConfigError, marking the field, for unreadable text)."""

    row: QWidget
    parts: dict[str, QWidget]
    show: Callable[[Any], None]
    read: Callable[[], Any]


def make_editor(name: str, devices: list[tuple[str, str]]) -> SettingEditor:
    """The editor of setting `name`, chosen by its declared type, range and choices; `devices`
    (spec, description) fill the device's list."""
    kind, limits = field_type(name), field_range(name)
    if name == "device":
        return _device(devices)
    if field_choices(name) is not None:
        return _combo(name)
    if kind is bool:
        box = QCheckBox(CAPTIONS.get(name, ""))
        return SettingEditor(box, {name: box}, box.setChecked, box.isChecked)
    if kind is tuple:
        return _pair(name)
    if limits is not None and not limits.low_allowed:
        return _typed_number(name)  # an open bound: typed, and refused by the config check
    if limits is not None and field_optional(name):
        return _optional_number(name)
    box = _number_box(name)
    return SettingEditor(box, {name: box}, box.setValue, box.value)


def _number_box(name: str) -> QAbstractSpinBox:
    """A spin box over setting `name`'s declared range."""
    low, high, _ = field_range(name)
    step, decimals = STEPS.get(name, (1, 0))
    if field_type(name) is float:
        return QDoubleSpinBox(minimum=low, maximum=high, singleStep=step, decimals=decimals)
    if high > QSPINBOX_MAX:
        return WideSpinBox(low, high)
    return QSpinBox(minimum=low, maximum=high, singleStep=step)


def _row(*widgets: QWidget) -> QWidget:
    row = QWidget()
    layout = QHBoxLayout(row)
    layout.setContentsMargins(0, 0, 0, 0)
    for widget in widgets:
        layout.addWidget(widget, stretch=1)
    return row


def _device(devices: list[tuple[str, str]]) -> SettingEditor:
    box = QComboBox()
    for spec, description in devices:
        box.addItem(description, spec)
    return SettingEditor(
        box,
        {"device": box},
        lambda value: box.setCurrentIndex(max(box.findData(value), 0)),
        lambda: box.currentData() or "auto",
    )


def _combo(name: str) -> SettingEditor:
    """A choice among the declared values, each shown in CHOICE_WORDS' words (or as itself)."""
    box = QComboBox()
    words = CHOICE_WORDS.get(name, {})
    for value in field_choices(name):
        box.addItem(words.get(value, value), value)

    def show(value: str) -> None:
        if (index := box.findData(value)) >= 0:  # an unknown value leaves the choice as it is
            box.setCurrentIndex(index)

    return SettingEditor(box, {name: box}, show, box.currentData)


def _pair(name: str) -> SettingEditor:
    """Two boxes for Adam's (beta1, beta2), named apart from the VAE's KL weight beta."""
    first, second = (
        QDoubleSpinBox(minimum=0.0, maximum=BETA_MAX, singleStep=step, decimals=4)
        for step in (0.05, 0.001)
    )
    first.setPrefix("beta1 ")
    second.setPrefix("beta2 ")

    def show(values: tuple[float, float]) -> None:
        first.setValue(values[0])
        second.setValue(values[1])

    parts = {"adam_beta1": first, "adam_beta2": second}
    return SettingEditor(_row(first, second), parts, show, lambda: (first.value(), second.value()))


def _typed_number(name: str) -> SettingEditor:
    """A line edit (scientific notation) for a number the config check bounds."""
    edit = QLineEdit()
    limits = field_range(name)
    validator = QDoubleValidator(limits.low, limits.high, 8, edit)
    validator.setNotation(QDoubleValidator.Notation.ScientificNotation)
    edit.setValidator(validator)
    edit.textChanged.connect(lambda _: clear_invalid(edit))  # an edit clears the mark

    def read() -> float:
        try:
            return float(edit.text())
        except ValueError as exc:
            problem = f"{field_label(name)}: {edit.text()!r} is not a number"
            mark_invalid(edit, problem)
            raise ConfigError(f"Invalid settings:\n  {problem}") from exc

    return SettingEditor(edit, {name: edit}, lambda value: edit.setText(f"{value:g}"), read)


def _optional_number(name: str) -> SettingEditor:
    """A check box that turns the setting on, and its number box."""
    use, box = QCheckBox(CAPTIONS.get(name, "")), _number_box(name)
    box.setSuffix(SUFFIXES.get(name, ""))
    use.toggled.connect(box.setEnabled)

    def show(value: int | None) -> None:
        use.setChecked(value is not None)
        box.setEnabled(value is not None)
        box.setValue(OFF_SHOWS.get(name, box.minimum()) if value is None else value)

    parts = {"use_" + name: use, name: box}
    return SettingEditor(
        _row(use, box), parts, show, lambda: box.value() if use.isChecked() else None
    )
