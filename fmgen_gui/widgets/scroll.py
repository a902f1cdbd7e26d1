"""Vertical scrolling for views whose parts keep a minimum size (plots, the settings form)."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QSize, Qt
from PySide6.QtWidgets import QFrame, QScrollArea, QSizePolicy, QStackedWidget, QWidget


class VerticalScroll(QScrollArea):
    """Shows its widget as large as the viewport, and taller (scrolling) only when the
    widget's minimum height does not fit. Qt's `widgetResizable` sized a view by its
    height-for-width (word-wrapped labels ask for more), so a view that fitted scrolled."""

    def __init__(self, widget: QWidget) -> None:
        super().__init__()
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setWidget(widget)
        widget.installEventFilter(self)  # its minimum changes: fit it again
        self.viewport().installEventFilter(self)  # a scroll bar came or went: fit again

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Fit the widget again when its layout or the viewport changes."""
        if event.type() in (QEvent.Type.LayoutRequest, QEvent.Type.Resize):
            self.fit()
        return super().eventFilter(watched, event)

    def fit(self) -> None:
        """The viewport's width; its height, or the widget's minimum if that is taller."""
        widget, viewport = self.widget(), self.viewport().size()
        height = max(viewport.height(), widget.minimumSizeHint().height())
        if widget.size() != QSize(viewport.width(), height):
            widget.resize(viewport.width(), height)


def vertical_scroll(widget: QWidget) -> VerticalScroll:
    """`widget` in a frameless area that scrolls up and down, never sideways: a short window
    scrolls it rather than squash what has a minimum height (plots, grids, the form)."""
    return VerticalScroll(widget)


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
    if isinstance(area, VerticalScroll):
        area.fit()
