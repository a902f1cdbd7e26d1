"""TranslationView: the explorer's page for a model that translates between two domains.

A domain switch over a gallery of that domain's test images; the picked image x, its
translation and its way back with the cycle error in words; a strip over a batch of test
images from the picked one on (a row per stage), which can be saved as PNG, SVG or PDF.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtCore import QRectF, QSizeF, Qt, Signal
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from fmgen_gui.explorer.gallery import Gallery
from fmgen_gui.explorer.strip import LABEL_HEIGHT, TITLE_HEIGHT, paint_strip
from fmgen_gui.explorer.translation_jobs import RoundTrip, cycle_words, stage_names
from fmgen_gui.export import render_to_file
from fmgen_gui.widgets.scroll import vertical_scroll
from trainer.data.fashion_mnist import CLASSES

CELL = 84.0  # a saved strip's image size in points


def _rows(trip: RoundTrip) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return trip.images.astype(np.float32) / 255, trip.there, trip.back


def paint_round_trips(
    painter: QPainter, rect: QRectF, trip: RoundTrip, names: tuple[str, str], title: str = ""
) -> None:
    """Draw `trip` as three rows, x / translation / way back, each titled with its stage; the
    last row's captions are each image's cycle error."""
    top = rect.top()
    if title:
        paint_strip(painter, QRectF(rect.left(), top, rect.width(), TITLE_HEIGHT), [], [], title)
        top += TITLE_HEIGHT
    band = (rect.bottom() - top) / 3
    captions = (
        [f"#{index}" for index in trip.indices],
        [""] * len(trip.indices),
        [f"{error:.3f}" for error in trip.errors],
    )
    stages = stage_names(trip.direction, names)
    stages = (*stages[:2], f"{stages[2]} (cycle L1 per pixel under each)")
    ts = np.zeros(len(trip.indices))
    for row, (images, stage, caption) in enumerate(zip(_rows(trip), stages, captions, strict=True)):
        box = QRectF(rect.left(), top + row * band, rect.width(), band)
        paint_strip(painter, box, images, ts, stage, captions=caption)


def save_round_trips(path: Path | str, trip: RoundTrip, names: tuple[str, str], title: str):
    """Write the strip of `trip` with its title as PNG, SVG or PDF; returns the path."""
    width = max(CELL * len(trip.indices), 400.0)
    height = TITLE_HEIGHT + 3 * (TITLE_HEIGHT + CELL + LABEL_HEIGHT) + 4
    return render_to_file(
        path, QSizeF(width, height), lambda p, r: paint_round_trips(p, r, trip, names, title)
    )


class RoundTripStrip(QWidget):
    """The batch strip on screen; a click on a column emits `clicked(its test image)`."""

    clicked = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.trip: RoundTrip | None = None
        self.names = ("A", "B")
        self.setMinimumHeight(240)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def set_trip(self, trip: RoundTrip | None, names: tuple[str, str]) -> None:
        """Show `trip` (None: nothing)."""
        self.trip, self.names = trip, names
        self.update()

    def paintEvent(self, event) -> None:
        if self.trip is None:
            return
        painter = QPainter(self)
        paint_round_trips(painter, QRectF(self.rect()), self.trip, self.names)
        painter.end()

    def mousePressEvent(self, event) -> None:
        if self.trip is None or not len(self.trip.indices):
            return
        column = int(event.position().x() * len(self.trip.indices) // max(self.width(), 1))
        self.clicked.emit(int(self.trip.indices[min(column, len(self.trip.indices) - 1)]))


class TranslationView(QWidget):
    """Domain switch and gallery | the picked image's round trip and the batch strip."""

    domain_chosen = Signal(int)  # 0: domain A (translated by G), 1: domain B (by F)
    picked = Signal(int)  # a test image of the chosen domain
    export_requested = Signal()
    cancel_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.names = ("A", "B")
        self.domain = QComboBox()
        self.domain.setToolTip("Which domain's test images to translate")
        self.gallery = Gallery()
        self.pick = RoundTripStrip()  # the picked image alone, big
        self.pick.setMinimumHeight(300)
        self.words = QLabel(wordWrap=True)
        self.batch = RoundTripStrip()
        self.batch.setToolTip("Click a column to show it above")
        self.cancel = QPushButton("Cancel")
        self.cancel.setToolTip("Stop translating")
        self.export = QPushButton("Export strip…")
        self.export.setToolTip("Save the strip as PNG, SVG or PDF")
        self._lay_out()
        self.domain.currentIndexChanged.connect(lambda i: i >= 0 and self.domain_chosen.emit(i))
        self.gallery.picked.connect(self.picked)
        self.batch.clicked.connect(self.picked)
        self.cancel.clicked.connect(self.cancel_requested)
        self.export.clicked.connect(self.export_requested)
        self.set_busy(False)

    def _lay_out(self) -> None:
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.domain)
        left_layout.addWidget(self.gallery, stretch=1)
        buttons = QHBoxLayout()
        buttons.addStretch()
        buttons.addWidget(self.cancel)
        buttons.addWidget(self.export)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.pick, stretch=3)
        right_layout.addWidget(self.words)
        right_layout.addWidget(self.batch, stretch=2)
        right_layout.addLayout(buttons)
        splitter = QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setSizes([300, 960])
        QVBoxLayout(self).addWidget(splitter)

    def set_domains(self, names: tuple[str, str], chosen: int) -> None:
        """Offer the two domains, `chosen` shown."""
        self.names = names
        self.domain.blockSignals(True)
        self.domain.clear()
        self.domain.addItem(f"A: {names[0]}, by G to {names[1]}")
        self.domain.addItem(f"B: {names[1]}, by F to {names[0]}")
        self.domain.setCurrentIndex(chosen)
        self.domain.blockSignals(False)

    def set_images(self, images: np.ndarray, labels: np.ndarray, name: str) -> None:
        """The chosen domain's test images; with more than one class among them, a filter."""
        several = len(np.unique(labels)) > 1
        captions = tuple(f"{name} #{i} ({CLASSES[label]})" for i, label in enumerate(labels))
        self.gallery.set_images(images, labels if several else None, CLASSES, captions)

    def show_trip(self, trip: RoundTrip | None) -> None:
        """Show a batch's round trips: its first column big, with its cycle error in words."""
        self.batch.set_trip(trip, self.names)
        first = None if trip is None else _first(trip)
        self.pick.set_trip(first, self.names)
        self.words.setText("" if trip is None else cycle_words(trip, 0))
        self.gallery.set_marks(None if trip is None else int(trip.indices[0]), None)
        self.export.setEnabled(trip is not None)

    def set_busy(self, busy: bool) -> None:
        """While a translation runs, it can be cancelled."""
        self.cancel.setEnabled(busy)


def _first(trip: RoundTrip) -> RoundTrip:
    """The first column of `trip` alone."""
    return RoundTrip(
        trip.direction,
        trip.indices[:1],
        trip.images[:1],
        trip.there[:1],
        trip.back[:1],
        trip.errors[:1],
    )


def explore_pages(
    path_views: tuple[QWidget, QWidget, QWidget, QWidget], translation: TranslationView
) -> QStackedWidget:
    """The explorer's two pages: the latent path's views (gallery | map over path plot |
    interpolation) and a translating model's `translation` page."""
    gallery, latent_map, path_plot, view = path_views
    middle = QWidget()
    middle_layout = QVBoxLayout(middle)
    middle_layout.setContentsMargins(0, 0, 0, 0)
    middle_layout.addWidget(latent_map, stretch=1)
    middle_layout.addWidget(path_plot, stretch=1)
    splitter = QSplitter(Qt.Orientation.Horizontal)
    # The map and the path plot keep their plots' data height: a short window scrolls them.
    for widget in (gallery, vertical_scroll(middle), view):
        splitter.addWidget(widget)
    splitter.setSizes([300, 480, 480])
    pages = QStackedWidget()
    for page in (splitter, translation):
        pages.addWidget(page)
    return pages
