"""The interpolation strip: images decoded from A to B with their t, on screen and in files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtCore import QRectF, QSizeF, Qt, Signal
from PySide6.QtGui import QColor, QFont, QPainter, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from fmgen_gui.export import render_to_file
from fmgen_gui.widgets.sample_grid import draw_image, to_qimage
from trainer.common.pixels import to_uint8

LABEL_HEIGHT = 16.0
TITLE_HEIGHT = 24.0


def t_captions(ts: np.ndarray) -> list[str]:
    """'t = 0.25' for each path parameter."""
    return [f"t = {t:.2f}" for t in ts]


def paint_strip(
    painter: QPainter,
    rect: QRectF,
    images: np.ndarray,
    ts: np.ndarray,
    title: str = "",
    current: int | None = None,
    captions: list[str] | None = None,
    label_height: float = LABEL_HEIGHT,
) -> list[QRectF]:
    """Draw images (n, 28, 28) in [0, 1] in a row with 't = ...' (or `captions`) under each;
    returns the cells.

    `title` goes on top; `current` outlines one cell (the one nearest the slider).
    """
    captions = t_captions(ts) if captions is None else captions
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
    cell = min(rect.width() / count, rect.bottom() - top - label_height)
    left = rect.left() + (rect.width() - cell * count) / 2
    painter.setFont(QFont("Sans Serif", 8))
    cells = []
    for i, (image, caption) in enumerate(zip(to_uint8(images), captions, strict=True)):
        box = QRectF(left + i * cell, top, cell, cell)
        draw_image(painter, to_qimage(image), box.adjusted(1, 1, -1, -1))
        painter.drawText(
            QRectF(box.left(), box.bottom(), cell, label_height),
            Qt.AlignmentFlag.AlignCenter,
            caption,
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
    """Shows a strip; a click on image k emits `clicked(k)` and `t_clicked(its t)`."""

    t_clicked = Signal(float)
    clicked = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.images = np.zeros((0, 28, 28), np.float32)
        self.ts = np.zeros(0)
        self.captions: list[str] = []
        self.current: int | None = None
        self._cells: list[QRectF] = []
        self.label_height = LABEL_HEIGHT
        self.setMinimumHeight(70)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)

    def set_strip(
        self, images: np.ndarray, ts: np.ndarray, captions: list[str] | None = None
    ) -> None:
        """Show a new strip, captioned with its t values unless `captions` are given."""
        self.images, self.ts = images, ts
        self.captions = t_captions(ts) if captions is None else captions
        self.update()

    def clear(self) -> None:
        """Show nothing."""
        self.current = None
        self.set_strip(np.zeros((0, 28, 28), np.float32), np.zeros(0))

    def set_current_t(self, t: float) -> None:
        """Outline the image nearest `t`."""
        nearest = int(np.argmin(np.abs(self.ts - t))) if len(self.ts) else None
        if nearest != self.current:
            self.current = nearest
            self.update()

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        self._cells = paint_strip(
            painter,
            QRectF(self.rect()),
            self.images,
            self.ts,
            current=self.current,
            captions=self.captions,
            label_height=self.label_height,
        )
        painter.end()

    def mousePressEvent(self, event) -> None:
        for index, (cell, t) in enumerate(zip(self._cells, self.ts, strict=False)):
            if cell.contains(event.position()):
                self.clicked.emit(index)
                self.t_clicked.emit(float(t))
                return
