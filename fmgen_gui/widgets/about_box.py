"""AboutBox: the settings column's foldable 'About this model' paragraph and its 'More…' button."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QToolButton, QVBoxLayout, QWidget


class AboutBox(QWidget):
    """'About this model': a paragraph with the registry's description, folded at first (the
    settings column is short; the model list's tooltips show it too); 'More…' opens the page."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.toggle = QToolButton(text="About this model", checkable=True)
        self.toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.toggle.setAutoRaise(True)
        self.text = QLabel(wordWrap=True)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.toggle.toggled.connect(self._fold)
        self.more = QToolButton(text="More…", autoRaise=True)
        self.more.setToolTip("What the model optimises, what its plots show, and its papers")
        row = QHBoxLayout()
        row.addWidget(self.toggle)
        row.addStretch(1)
        row.addWidget(self.more)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(row)
        layout.addWidget(self.text)
        self._fold(False)

    def set_text(self, text: str) -> None:
        """Show `text` (the model's description)."""
        self.text.setText(text)

    def _fold(self, shown: bool) -> None:
        self.text.setVisible(shown)
        self.toggle.setArrowType(Qt.ArrowType.DownArrow if shown else Qt.ArrowType.RightArrow)
