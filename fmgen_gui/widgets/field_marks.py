"""Marks on form fields whose value is refused: a red border and the problem as tooltip."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from fmgen_gui.assets import colours

# The error messages' border colour (resources/colours.json), so a field and its message match.
INVALID_STYLE = f"border: 2px solid {colours()['messages']['error']['border']}"


def mark_invalid(field: QWidget, problem: str) -> None:
    """A red border on `field`, and the problem in its tooltip, until it is edited."""
    if field.property("invalid") is None:
        field.setProperty("tip", field.toolTip())
    field.setProperty("invalid", problem)
    field.setStyleSheet(INVALID_STYLE)
    field.setToolTip(problem)


def clear_invalid(field: QWidget) -> None:
    """Undo `mark_invalid` (a field never marked is left as it is)."""
    if field.property("invalid") is not None:
        field.setProperty("invalid", None)
        field.setStyleSheet("")
        field.setToolTip(field.property("tip"))
