"""MessageBar: an inline, dismissible message (errors stay visible, the app stays usable)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QToolButton, QWidget

from fmgen_gui.assets import colours


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
        style = colours()["messages"][kind]  # resources/colours.json
        self.setStyleSheet(
            f"MessageBar {{background:{style['background']}; border:1px solid {style['border']};"
            f" border-radius:4px}} QLabel {{color:{style['text']}; background:transparent}}"
        )
        self.label.setText(text)
        self.show()

    @property
    def text(self) -> str:
        """The message shown (empty when hidden)."""
        return "" if self.isHidden() else self.label.text()
