"""Gallery: a grid of small images, filterable by class; a click picks one."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QAbstractListModel, QModelIndex, QSize, Qt, Signal
from PySide6.QtGui import QColor, QPixmap
from PySide6.QtWidgets import QComboBox, QListView, QVBoxLayout, QWidget

from fmgen_gui.assets import colours
from fmgen_gui.widgets.sample_grid import to_qimage

ICON = 56  # 2x the 28-pixel images
MARKS = {name: QColor(colour) for name, colour in colours()["marks"].items()}


class ImageListModel(QAbstractListModel):
    """Rows are indices into `images`; icons are made on demand and kept."""

    def __init__(self) -> None:
        super().__init__()
        self.images = np.zeros((0, 28, 28), np.uint8)
        self.captions: list[str] = []
        self.rows = np.zeros(0, np.int64)
        self.marks: dict[int, str] = {}  # image index -> "A" or "B"
        self._icons: dict[int, QPixmap] = {}

    def set_images(self, images: np.ndarray, captions: list[str], rows: np.ndarray) -> None:
        """Show `rows` of `images` (uint8, N x 28 x 28)."""
        self.beginResetModel()
        self.images, self.captions, self.rows = images, captions, rows
        self._icons.clear()
        self.endResetModel()

    def set_rows(self, rows: np.ndarray) -> None:
        """Show another subset of the same images."""
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()

    def set_marks(self, marks: dict[int, str]) -> None:
        """Which image indices are A and B."""
        self.marks = marks
        if len(self.rows):
            self.dataChanged.emit(self.index(0), self.index(len(self.rows) - 1))

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008 - Qt's API
        return 0 if parent.isValid() else len(self.rows)

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        image = int(self.rows[index.row()])
        if role == Qt.ItemDataRole.DecorationRole:
            if image not in self._icons:
                self._icons[image] = QPixmap.fromImage(to_qimage(self.images[image])).scaled(
                    ICON,
                    ICON,
                    Qt.AspectRatioMode.KeepAspectRatio,
                    Qt.TransformationMode.FastTransformation,
                )
            return self._icons[image]
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.captions[image]
        if role == Qt.ItemDataRole.DisplayRole:
            return self.marks.get(image, "")
        if role == Qt.ItemDataRole.BackgroundRole and image in self.marks:
            return MARKS[self.marks[image]]
        if role == Qt.ItemDataRole.UserRole:
            return image
        return None


class Gallery(QWidget):
    """Images with an optional class filter; `picked(index)` on click."""

    picked = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.labels: np.ndarray | None = None
        self.filter = QComboBox()
        self.filter.setToolTip("Show one class only")
        self.model = ImageListModel()
        self.view = QListView()
        self.view.setViewMode(QListView.ViewMode.IconMode)
        self.view.setIconSize(QSize(ICON, ICON))
        self.view.setGridSize(QSize(ICON + 6, ICON + 18))
        self.view.setUniformItemSizes(True)
        self.view.setResizeMode(QListView.ResizeMode.Adjust)
        self.view.setMovement(QListView.Movement.Static)
        # A and B are marked by their own colours; Qt's selection highlight would stay on
        # the last clicked image after A or B moved elsewhere (issue 10).
        self.view.setSelectionMode(QListView.SelectionMode.NoSelection)
        self.view.setModel(self.model)
        self.view.clicked.connect(
            lambda index: self.picked.emit(index.data(Qt.ItemDataRole.UserRole))
        )
        self.filter.currentIndexChanged.connect(self._apply_filter)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.filter)
        layout.addWidget(self.view, stretch=1)

    def set_images(
        self,
        images: np.ndarray,
        labels: np.ndarray | None,
        classes: tuple[str, ...],
        captions: tuple[str, ...],
    ) -> None:
        """Show `images` with their tooltip `captions`; with `labels`, the filter offers each
        class (the chosen class stays chosen when the images are of the same kind)."""
        shown_class = self.filter.currentData() if labels is not None else None
        self.labels = labels
        self.filter.blockSignals(True)
        self.filter.clear()
        self.filter.addItem("all classes", -1)
        for label, name in enumerate(classes if labels is not None else ()):
            self.filter.addItem(name, label)
        self.filter.setCurrentIndex(max(self.filter.findData(shown_class), 0))
        self.filter.setEnabled(labels is not None)
        self.filter.blockSignals(False)
        self.model.set_images(images, list(captions), np.arange(len(images)))
        self._apply_filter()

    def show_class(self, label: int) -> None:
        """Filter to one class (-1 for all)."""
        self.filter.setCurrentIndex(max(self.filter.findData(label), 0))

    def show_last(self) -> None:
        """Scroll to the last images shown: where new ones are added."""
        self.view.scrollToBottom()

    def _apply_filter(self) -> None:
        label = self.filter.currentData()
        everything = np.arange(len(self.model.images))
        if self.labels is None or label is None or label < 0:
            self.model.set_rows(everything)
        else:
            self.model.set_rows(np.flatnonzero(self.labels == label))

    def set_marks(self, a: int | None, b: int | None) -> None:
        """Mark the images picked as A and B."""
        marks = {index: name for index, name in ((a, "A"), (b, "B")) if index is not None}
        self.model.set_marks(marks)
