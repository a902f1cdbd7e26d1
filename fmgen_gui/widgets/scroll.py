"""Vertical scrolling for views whose parts keep a minimum size (plots, the settings form)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QScrollArea, QSizePolicy, QStackedWidget, QWidget


def vertical_scroll(widget: QWidget) -> QScrollArea:
    """`widget` in a frameless area that scrolls up and down, never sideways: a short window
    scrolls it rather than squash what has a minimum height (plots, grids, the form)."""
    area = QScrollArea(widgetResizable=True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    area.setWidget(widget)
    return area


def fit_width(area: QScrollArea, content: QWidget) -> None:
    """Make `area` as wide as `content`'s minimum (and its scroll bar): a scroll area hides its
    content's minimum width from the layout, which then cut the content off on the right."""
    bar = area.verticalScrollBar().sizeHint().width()
    area.setMinimumWidth(content.minimumSizeHint().width() + bar)


def show_page(area: QScrollArea, stack: QStackedWidget, page: QWidget) -> None:
    """Show `page` of the `stack` that `area` scrolls, sized by that page alone: a
    QStackedWidget is as large as its largest page, so every view scrolled like the tallest."""
    stack.setCurrentWidget(page)
    for index in range(stack.count()):
        policy = QSizePolicy.Policy.Preferred
        if stack.widget(index) is not page:
            policy = QSizePolicy.Policy.Ignored
        stack.widget(index).setSizePolicy(policy, policy)
    fit_width(area, page)
