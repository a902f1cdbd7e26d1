"""SampleGrid: an image grid per epoch, with a slider to look back at earlier epochs."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtCore import QRectF, QSizeF, Qt, Signal
from PySide6.QtGui import QAction, QFont, QImage, QPainter
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from fmgen_gui.export import render_to_file
from trainer.runs.history import thin_grids

TITLE_HEIGHT = 28.0


def to_qimage(grid: np.ndarray) -> QImage:
    """A greyscale QImage that owns a copy of the uint8 array (H, W)."""
    data = np.ascontiguousarray(grid, dtype=np.uint8)
    height, width = data.shape
    return QImage(data.data, width, height, width, QImage.Format.Format_Grayscale8).copy()


def draw_image(painter: QPainter, image: QImage, rect: QRectF) -> QRectF:
    """Draw `image` as large as fits in `rect`, centred, with square pixels kept sharp."""
    scale = min(rect.width() / image.width(), rect.height() / image.height())
    width, height = image.width() * scale, image.height() * scale
    target = QRectF(
        rect.x() + (rect.width() - width) / 2,
        rect.y() + (rect.height() - height) / 2,
        width,
        height,
    )
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, False)
    painter.drawImage(target, image)
    return target


def titled_image_size(image: QImage, scale: float = 2.0, minimum: float = 360.0) -> QSizeF:
    """The natural size of an image `scale` times enlarged, with room for a title."""
    width = max(float(image.width()) * scale, minimum)
    return QSizeF(width, width * image.height() / image.width() + TITLE_HEIGHT)


def titled_image_painter(image: QImage, title: str, point_size: int = 11):
    """A painter function that draws `title` centred above `image`."""

    def paint(painter: QPainter, rect: QRectF) -> None:
        painter.setFont(QFont("Sans Serif", point_size))
        top = QRectF(rect.x(), rect.y(), rect.width(), TITLE_HEIGHT)
        flags = Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap
        painter.drawText(top, flags, title)
        draw_image(painter, image, rect.adjusted(0, TITLE_HEIGHT, 0, 0))

    return paint


class ImageCanvas(QWidget):
    """Paints one QImage scaled to fit, nearest-neighbour."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.image: QImage | None = None
        self.setMinimumSize(120, 120)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def set_image(self, image: QImage | None) -> None:
        """Show `image` (None for nothing)."""
        self.image = image
        self.update()

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), self.palette().window())
        if self.image is not None:
            draw_image(painter, self.image, QRectF(self.rect()))
        painter.end()


class SampleGrid(QWidget):
    """Grids by epoch; follows the newest unless the slider was moved back."""

    save_requested = Signal()

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = title
        self.grids: dict[int, np.ndarray] = {}
        # Wrapped: a long title (the class grids) must not set the window's minimum width.
        self.title_label = QLabel(f"<b>{title}</b>", wordWrap=True)
        self.canvas = ImageCanvas()
        self.slider = QSlider(Qt.Orientation.Horizontal, enabled=False)
        self.slider.setToolTip("Look back at the grid of an earlier epoch")
        self.epoch_label = QLabel("no epoch yet")
        save = QPushButton("Save…")
        save.setToolTip("Save this grid as PNG, SVG or PDF (also in its right-click menu)")
        save.clicked.connect(self.save_requested.emit)
        self.slider.valueChanged.connect(self._show_index)
        self.canvas.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        action = QAction("Save figure as PNG, SVG or PDF…", self.canvas)
        action.triggered.connect(self.save_requested.emit)
        self.canvas.addAction(action)
        row = QHBoxLayout()
        row.addWidget(self.slider, stretch=1)
        row.addWidget(self.epoch_label)
        row.addWidget(save)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title_label)
        layout.addWidget(self.canvas, stretch=1)
        layout.addLayout(row)

    def add_grid(self, epoch: int, grid: np.ndarray) -> None:
        """Store the grid of `epoch`; show it if the view was following the newest."""
        following = self.slider.value() == self.slider.maximum()
        self.grids[epoch] = grid
        thin_grids(self.grids)
        self.slider.setEnabled(len(self.grids) > 1)
        self.slider.setMaximum(len(self.grids) - 1)
        if following or len(self.grids) == 1:
            self.slider.setValue(self.slider.maximum())
        self._show_index(self.slider.value())

    def clear(self) -> None:
        """Forget every grid."""
        self.grids.clear()
        self.slider.setMaximum(0)
        self.slider.setEnabled(False)
        self.canvas.set_image(None)
        self.epoch_label.setText("no epoch yet")

    @property
    def shown_epoch(self) -> int | None:
        """The epoch on screen."""
        epochs = sorted(self.grids)
        return epochs[self.slider.value()] if epochs else None

    def _show_index(self, index: int) -> None:
        epochs = sorted(self.grids)
        if not epochs:
            return
        epoch = epochs[min(index, len(epochs) - 1)]
        self.canvas.set_image(to_qimage(self.grids[epoch]))
        self.epoch_label.setText(f"epoch {epoch} of {epochs[-1]}")

    def save_figure(self, path: Path | str) -> Path:
        """Write the shown grid under a title naming it and its epoch."""
        if self.canvas.image is None:
            raise ValueError(f"{self.title}: no grid to save yet")
        image = self.canvas.image
        caption = f"{self.title}, epoch {self.shown_epoch}"
        return render_to_file(path, titled_image_size(image), titled_image_painter(image, caption))
