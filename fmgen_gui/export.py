"""Save what a view draws as PNG, SVG or PDF, atomically, through one painter function."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pyqtgraph as pg
from PySide6.QtCore import QBuffer, QIODevice, QMarginsF, QRectF, QSize, QSizeF, Qt
from PySide6.QtGui import QColor, QImage, QPageLayout, QPageSize, QPainter, QPdfWriter
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import QWidget

from fmgen_gui.file_dialogs import ask_save_file
from fmgen_gui.svg_flatten import flatten_cosmetic_strokes
from trainer.common.files import atomic_path
from trainer.common.words import join_words

FILTERS = "PNG image (*.png);;SVG vector image (*.svg);;PDF document (*.pdf)"
SUFFIXES = (".png", ".svg", ".pdf")
SCREEN_DPI = 96  # every device is set up like the screen the views were laid out for
PNG_SCALE = 2  # image pixels per screen pixel: crisp on paper and high-density screens

Painter = Callable[[QPainter, QRectF], None]
CREATOR = "fmgen"


@dataclass(frozen=True)
class DocumentInfo:
    """A PDF's metadata: its title and the people who wrote it."""

    title: str
    authors: tuple[str, ...] = ()


def render_to_file(
    path: Path | str, size: QSizeF, paint: Painter, info: DocumentInfo | None = None
) -> Path:
    """Call `paint(painter, rect)` on a page of `size` screen pixels; save as `path`'s format.

    pyqtgraph lays plots out for a 96 dpi screen; on a device of another resolution (PDF and
    SVG default to 72) the data and its axes come out at different scales, so every device
    here gets 96 logical dpi and only the PNG is scaled, uniformly.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise ValueError(f"{path.name}: choose a .png, .svg or .pdf file name")
    if suffix == ".pdf":
        return render_pages(path, size, [paint], info)
    data = {".png": _png, ".svg": _svg}[suffix](size, paint, path.stem)
    return _write(path, data)


def render_pages(
    path: Path | str, size: QSizeF, pages: Sequence[Painter], info: DocumentInfo | None = None
) -> Path:
    """A PDF of one page of `size` per painter, with `info` (default: titled by the name)."""
    path = Path(path)
    return _write(path, _pdf(size, pages, info or DocumentInfo(path.stem)))


def _write(path: Path, data: bytes) -> Path:
    # Drawn in memory, then written by Python: a full or read-only disk then raises an OSError
    # that says so, where Qt's own file writers report a bare failure or nothing at all.
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)
    return path


def _paint_on(device, size: QSizeF, paint: Painter) -> None:
    _paint_pages(device, size, [paint])


def _paint_pages(device, size: QSizeF, pages: Sequence[Painter]) -> None:
    painter = QPainter(device)
    try:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        # A PDF embeds drawn images as JPEG unless told otherwise: lossy blocks on 28x28 pixel
        # art. The hint makes QPdfWriter use lossless Flate (other devices ignore it).
        painter.setRenderHint(QPainter.RenderHint.LosslessImageRendering)
        rect = QRectF(0, 0, size.width(), size.height())
        for i, paint in enumerate(pages):
            if i:
                device.newPage()
            painter.fillRect(rect, QColor("white"))
            paint(painter, rect)
    finally:
        painter.end()


def _buffer() -> QBuffer:
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    return buffer


def _png(size: QSizeF, paint: Painter, title: str) -> bytes:
    pixels = QSize(round(size.width() * PNG_SCALE), round(size.height() * PNG_SCALE))
    image = QImage(pixels, QImage.Format.Format_ARGB32)  # 96 dpi by default, like the screen
    # A device pixel ratio, not a painter scale: pyqtgraph's cosmetic pens and its
    # transformation-ignoring legend text follow the ratio but not the painter's transform.
    image.setDevicePixelRatio(PNG_SCALE)
    image.fill(QColor("white"))
    _paint_on(image, size, paint)
    buffer = _buffer()
    if not image.save(buffer, "PNG"):
        raise OSError(f"{title}: the PNG could not be encoded")
    return bytes(buffer.data())


def _svg(size: QSizeF, paint: Painter, title: str) -> bytes:
    buffer = _buffer()
    generator = QSvgGenerator()
    generator.setOutputDevice(buffer)
    generator.setResolution(SCREEN_DPI)
    generator.setSize(size.toSize())
    generator.setViewBox(QRectF(0, 0, size.width(), size.height()))
    generator.setTitle(title)
    _paint_on(generator, size, paint)
    return flatten_cosmetic_strokes(bytes(buffer.data()).decode("utf-8")).encode("utf-8")


def _pdf(size: QSizeF, pages: Sequence[Painter], info: DocumentInfo) -> bytes:
    buffer = _buffer()
    writer = QPdfWriter(buffer)
    page = QPageSize(
        size * 72 / SCREEN_DPI, QPageSize.Unit.Point, "", QPageSize.SizeMatchPolicy.ExactMatch
    )
    writer.setPageLayout(QPageLayout(page, QPageLayout.Orientation.Portrait, QMarginsF(0, 0, 0, 0)))
    writer.setResolution(SCREEN_DPI)  # one device pixel per screen pixel
    writer.setTitle(info.title)
    writer.setCreator(CREATOR)
    # Qt 6.9 added setAuthor; with an older Qt (fmgen accepts 6.6) the PDF names no author.
    if info.authors and hasattr(writer, "setAuthor"):
        writer.setAuthor(join_words(list(info.authors)))
    _paint_pages(writer, size, pages)
    return bytes(buffer.data())


def save_plot(
    view: pg.GraphicsView,
    path: Path | str,
    title: str | None = None,
    item: pg.PlotItem | None = None,
) -> Path:
    """Write a pyqtgraph view (plots, titles, axes, legends) as PNG, SVG or PDF.

    `title` replaces the title of `item` (default: the view's plot) in the file only.
    """
    item = item or view.getPlotItem()
    shown_title = item.titleLabel.text
    if title is not None:
        item.setTitle(title, color="k", size="11pt")
    try:
        source = view.centralWidget.sceneBoundingRect()
        size = QSizeF(max(source.width(), 480), max(source.height(), 320))

        def paint(painter: QPainter, rect: QRectF) -> None:
            view.scene().render(painter, rect, source, Qt.AspectRatioMode.IgnoreAspectRatio)

        return render_to_file(path, size, paint)
    finally:
        if title is not None:
            item.setTitle(shown_title, color="k", size="11pt")


def ask_save_path(
    parent: QWidget,
    title: str,
    suggested: str,
    filters: str = FILTERS,
    suffixes: tuple[str, ...] = SUFFIXES,
    kind: str = "figures",
) -> Path | None:
    """A save dialog; None when cancelled. Adds the chosen filter's suffix when none is given."""
    chosen = ask_save_file(parent, title, kind, suggested, filters)
    if chosen is None:
        return None
    path, chosen_filter = chosen
    if path.suffix.lower() not in suffixes:
        path = path.with_suffix("." + chosen_filter.split("*.")[-1].rstrip(")"))
    return path


def ask_figure_path(parent: QWidget, title: str, suggested: str) -> Path | None:
    """A save dialog for a PNG, SVG or PDF figure."""
    return ask_save_path(parent, title, suggested)
