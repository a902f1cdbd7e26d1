"""MessageBar: an inline, dismissible message (errors stay visible, the app stays usable)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QToolButton, QWidget

COLOURS = {  # (background, text, border)
    "error": ("#fdecea", "#611a15", "#f5c2c0"),
    "info": ("#e8f4fd", "#0d3c61", "#b6dcfa"),
}


class MessageBar(QFrame):
    """Hidden until `show_message`; the close button hides it again."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.kind = ""
        self.label = QLabel(wordWrap=True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        close = QToolButton(text="✕", autoRaise=True)
        close.setToolTip("Dismiss")
        close.clicked.connect(self.hide)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 4, 4)
        layout.addWidget(self.label, stretch=1)
        layout.addWidget(close, alignment=Qt.AlignmentFlag.AlignTop)
        self.hide()

    def show_message(self, text: str, kind: str = "info") -> None:
        """Show `text` as an 'error' or 'info' message."""
        self.kind = kind
        background, colour, border = COLOURS[kind]
        self.setStyleSheet(
            f"MessageBar {{background:{background}; border:1px solid {border}; border-radius:4px}}"
            f" QLabel {{color:{colour}; background:transparent}}"
        )
        self.label.setText(text)
        self.show()

    @property
    def text(self) -> str:
        """The message shown (empty when hidden)."""
        return "" if self.isHidden() else self.label.text()
