"""The interpolation strip: images decoded from A to B with their t, on screen and in files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtCore import QRectF, QSizeF, Qt, Signal
from PySide6.QtGui import QColor, QFont, QPainter, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from fmgen_gui.export import render_to_file
from fmgen_gui.widgets.sample_grid import draw_image, to_qimage
from trainer.explore import to_uint8

LABEL_HEIGHT = 16.0
TITLE_HEIGHT = 24.0


def paint_strip(
    painter: QPainter,
    rect: QRectF,
    images: np.ndarray,
    ts: np.ndarray,
    title: str = "",
    current: int | None = None,
) -> list[QRectF]:
    """Draw images (n, 28, 28) in [0, 1] in a row with 't = ...' under each; returns the cells.

    `title` goes on top; `current` outlines one cell (the one nearest the slider).
    """
    top = rect.top()
    if title:
        painter.setFont(QFont("Sans Serif", 10))
        painter.drawText(
            QRectF(rect.left(), top, rect.width(), TITLE_HEIGHT),
            Qt.AlignmentFlag.AlignCenter,
            title,
        )
        top += TITLE_HEIGHT
    count = len(images)
    if count == 0:
        return []
    cell = min(rect.width() / count, rect.bottom() - top - LABEL_HEIGHT)
    left = rect.left() + (rect.width() - cell * count) / 2
    painter.setFont(QFont("Sans Serif", 8))
    cells = []
    for i, (image, t) in enumerate(zip(to_uint8(images), ts, strict=True)):
        box = QRectF(left + i * cell, top, cell, cell)
        draw_image(painter, to_qimage(image), box.adjusted(1, 1, -1, -1))
        painter.drawText(
            QRectF(box.left(), box.bottom(), cell, LABEL_HEIGHT),
            Qt.AlignmentFlag.AlignCenter,
            f"t = {t:.2f}",
        )
        if i == current:
            painter.setPen(QPen(QColor("#d62728"), 2))
            painter.drawRect(box.adjusted(1, 1, -1, -1))
            painter.setPen(QPen(QColor("black")))
        cells.append(box)
    return cells


def save_strip(path: Path | str, images: np.ndarray, ts: np.ndarray, title: str) -> Path:
    """Write a strip with its title as PNG, SVG or PDF."""
    cell = 84.0
    size = QSizeF(max(cell * len(images), 400.0), TITLE_HEIGHT + cell + LABEL_HEIGHT + 4)
    return render_to_file(path, size, lambda p, r: paint_strip(p, r, images, ts, title))


class StripView(QWidget):
    """Shows a strip; a click on an image asks to move the slider to its t."""

    t_clicked = Signal(float)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.images = np.zeros((0, 28, 28), np.float32)
        self.ts = np.zeros(0)
        self.current: int | None = None
        self._cells: list[QRectF] = []
        self.setMinimumHeight(70)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)

    def set_strip(self, images: np.ndarray, ts: np.ndarray) -> None:
        """Show a new strip."""
        self.images, self.ts = images, ts
        self.update()

    def set_current_t(self, t: float) -> None:
        """Outline the image nearest `t`."""
        nearest = int(np.argmin(np.abs(self.ts - t))) if len(self.ts) else None
        if nearest != self.current:
            self.current = nearest
            self.update()

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        self._cells = paint_strip(
            painter, QRectF(self.rect()), self.images, self.ts, current=self.current
        )
        painter.end()

    def mousePressEvent(self, event) -> None:
        for cell, t in zip(self._cells, self.ts, strict=False):
            if cell.contains(event.position()):
                self.t_clicked.emit(float(t))
                return
