"""LatentMap: the encoded test images on a plane, coloured by class, with the A-B path."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QWidget

from fmgen_gui.export import save_plot
from fmgen_gui.widgets.plot_style import (
    CLASS_COLOURS,
    keep_data_height,
    make_layout,
    side_legend,
    style_plot,
)
from fmgen_gui.widgets.sample_grid import ImageCanvas, to_qimage

PREVIEW = 72
PATH_Z = 10  # the path and its end markers draw over the points


class LatentMap(QWidget):
    """Scatter of 2-D points per class; click picks (`picked`), hover shows the image."""

    picked = Signal(int)
    save_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.view = make_layout()
        self.view.setParent(self)
        self.plot = style_plot(
            self.view.addPlot(row=0, col=0),
            "Test images in latent space",
            on_save=self.save_requested.emit,
        )
        self.legend = side_legend(self.view.ci, 0, 1)
        # The view is a child placed by hand (resizeEvent), so this widget keeps its minimum.
        self.setMinimumHeight(keep_data_height(self.view, self.plot))
        self.images = np.zeros((0, 28, 28), np.uint8)
        self.captions: list[str] = []
        self.scatters: list[pg.ScatterPlotItem] = []
        self.path = self.plot.plot([], [], pen=pg.mkPen("k", width=2))
        self.ends = pg.ScatterPlotItem(size=16, symbol="o", brush=None, pen=pg.mkPen("k", width=3))
        self.current = pg.ScatterPlotItem(size=14, symbol="star", brush="k", pen=pg.mkPen("w"))
        self.end_labels = [pg.TextItem(name, color="k", anchor=(-0.3, 1.2)) for name in "AB"]
        # Above the scatters (z 0, added later, so drawn later at equal z): the path is what
        # the map is about once A and B are picked.
        self.path.setZValue(PATH_Z)
        for overlay in (self.ends, self.current, *self.end_labels):
            overlay.setZValue(PATH_Z + 1)
            self.plot.addItem(overlay)
        self.clear_path()
        self.preview = ImageCanvas(self)  # the hovered image, over the map's corner
        self.preview.setFixedSize(PREVIEW, PREVIEW)
        self.preview_caption = QLabel(self)
        self.preview.hide()
        self.preview_caption.hide()

    def resizeEvent(self, event) -> None:
        self.view.setGeometry(self.rect())
        self.preview.move(70, 40)
        self.preview_caption.move(70, 40 + PREVIEW)

    def set_points(
        self,
        points: np.ndarray,
        labels: np.ndarray,
        classes: tuple[str, ...],
        axes: tuple,
        images: np.ndarray,
    ) -> None:
        """Show `points` (N, 2) coloured by `labels`, with `images` for hovering."""
        for scatter in self.scatters:
            self.plot.removeItem(scatter)
            self.legend.removeItem(scatter)
        self.scatters = []
        self.images = images
        self.captions = [f"{classes[int(k)]} #{i}" for i, k in enumerate(labels)]
        for label, name in enumerate(classes):
            members = np.flatnonzero(labels == label)
            scatter = pg.ScatterPlotItem(
                x=points[members, 0],
                y=points[members, 1],
                data=members,
                size=5,
                pen=None,
                brush=pg.mkBrush(CLASS_COLOURS[label]),
                hoverable=True,
                hoverSize=9,
                hoverPen=pg.mkPen("k"),
            )
            scatter.sigClicked.connect(self._on_click)
            scatter.sigHovered.connect(self._on_hover)
            self.plot.addItem(scatter)
            self.legend.addItem(scatter, name)
            self.scatters.append(scatter)
        self.plot.setLabel("bottom", axes[0])
        self.plot.setLabel("left", axes[1])
        self.setMinimumHeight(keep_data_height(self.view, self.plot))  # with legend and labels

    def point_count(self) -> int:
        """Points shown (all classes)."""
        return sum(len(s.data) for s in self.scatters)

    def set_path(self, path: np.ndarray, a: np.ndarray, b: np.ndarray) -> None:
        """Draw the projected path and its ends (all (2,) or (n, 2) points on the map)."""
        self.path.setData(path[:, 0], path[:, 1])
        self.ends.setData([a[0], b[0]], [a[1], b[1]])
        for label, point in zip(self.end_labels, (a, b), strict=True):
            label.setPos(float(point[0]), float(point[1]))
            label.setVisible(True)

    def clear_path(self) -> None:
        """No path, no ends, no current point: nothing is drawn over the points."""
        self.path.setData([], [])
        self.ends.setData([], [])
        self.current.setData([], [])
        for label in self.end_labels:
            label.setVisible(False)  # a label without a point would sit at the origin

    def set_current(self, point: np.ndarray) -> None:
        """Mark the slider's point on the path."""
        self.current.setData([point[0]], [point[1]])

    def _on_click(self, scatter, points, event) -> None:
        if len(points):
            self.picked.emit(int(points[0].data()))

    def _on_hover(self, scatter, points, event) -> None:
        if not len(points):
            self.preview.hide()
            self.preview_caption.hide()
            return
        index = int(points[0].data())
        self.preview.set_image(to_qimage(self.images[index]))
        self.preview_caption.setText(self.captions[index])
        self.preview_caption.adjustSize()
        self.preview.show()
        self.preview_caption.show()

    def save_figure(self, path: Path | str, title: str | None = None) -> Path:
        """Write the map (with its path and legend) as PNG, SVG or PDF."""
        return save_plot(self.view, path, title, self.plot)
