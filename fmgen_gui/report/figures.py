"""The report's figures: each a painter with a natural size, saved alone and drawn on the page."""

from __future__ import annotations

import dataclasses
import html
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, QSizeF, Qt
from PySide6.QtGui import QColor, QFont, QPainter
from PySide6.QtWidgets import QApplication, QWidget

from fmgen_gui.export import render_to_file
from fmgen_gui.widgets.loss_plot import LossPlot
from fmgen_gui.widgets.plot_style import CLASS_COLOURS, legend_below, make_plot
from fmgen_gui.widgets.sample_grid import (
    draw_image,
    to_qimage,
)
from trainer.common.pixels import to_uint8
from trainer.data.fashion_mnist import CLASSES
from trainer.evaluation.pictures import LabelledGrid, PathPicture
from trainer.evaluation.results import RunEvaluation
from trainer.runs.history import RunHistory

FIGURE_FORMATS = (".png", ".svg")  # a raster and a vector version of each figure
PRINT_PT = 7  # text size of plots on the A4 page
TEXT_PT = 7.5  # titles and labels of the painted figures
TITLE_HEIGHT = 26.0  # two lines of TEXT_PT
PATH_TITLE_HEIGHT = 26.0
LABEL_HEIGHT = 12.0
STEP_SMOOTHING = 20  # logged points averaged in per-step curves (per-epoch curves: raw)
GRID_SCALE = 2.0  # natural screen pixels per grid pixel
ROW_LABEL_WIDTH = 70.0  # room for a class name left of a grid row
CELL = 84.0  # natural size of one strip image
END_GAP = 0.25  # gap between an original end image and the strip, in cells
TICK_INSET = 0.1  # share of a curve plot's y range at each end without a tick


@dataclass
class Figure:
    """A named drawing that lays itself out in any rect, its text at print size.

    Its picture scales with the rect; `margin` is the room (width, height) its titles and
    labels take whatever the size, so the page can ask how tall it is at a given width.
    """

    name: str
    picture: QSizeF  # the natural size of the part that scales (plot, grid, strip)
    paint: Callable[[QPainter, QRectF], None]
    margin: QSizeF = field(default_factory=QSizeF)  # fixed room beside and above the picture
    widget: QWidget | None = None  # the offscreen plot a figure is rendered from

    @property
    def natural(self) -> QSizeF:
        """The size it is saved at."""
        return self.picture + self.margin

    def height_for(self, width: float) -> float:
        """The height at which the picture fills `width`."""
        scale = (width - self.margin.width()) / self.picture.width()
        return self.margin.height() + self.picture.height() * scale

    def draw(self, painter: QPainter, rect: QRectF) -> None:
        """Lay out (plots: again, at this size) and draw into `rect`."""
        if self.widget is not None:
            self.widget.resize(round(rect.width()), round(rect.height()))
            QApplication.processEvents()
        painter.save()
        painter.translate(rect.topLeft())
        self.paint(painter, QRectF(0, 0, rect.width(), rect.height()))
        painter.restore()

    def save(self, folder: Path) -> list[Path]:
        """Write the figure at its natural size as PNG and SVG into `folder`."""
        return [
            render_to_file(folder / f"{self.name}{s}", self.natural, self.draw)
            for s in FIGURE_FORMATS
        ]


def offscreen(widget: QWidget, size: QSizeF) -> QWidget:
    """Lay a widget out at `size` without ever putting it on a screen."""
    widget.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen)
    widget.resize(round(size.width()), round(size.height()))
    widget.show()
    QApplication.processEvents()
    return widget


def view_painter(view: pg.GraphicsView):
    """Paints the view's plot into a rect (laid out at the view's size, stretched to the rect)."""

    def paint(painter: QPainter, rect: QRectF) -> None:
        source = view.centralWidget.sceneBoundingRect()
        view.scene().render(painter, rect, source, Qt.AspectRatioMode.IgnoreAspectRatio)

    return paint


def curve_figure(name: str, run: RunEvaluation) -> Figure:
    """The run's main training plot (its first plot with test curves), from its history."""
    plots = run.spec.plots
    plot = next((p for p in plots if any(c.key.startswith("test/") for c in p.curves)), plots[0])
    title = f"{html.escape(run.facts.label)}<br>{html.escape(plot.title)}"  # two lines
    spec = dataclasses.replace(plot, title=title)
    size = QSizeF(350, 215)
    widget = offscreen(LossPlot(spec, text_pt=PRINT_PT), size)
    widget.smoothing.setValue(1 if plot.x_label == "epoch" else STEP_SMOOTHING)
    widget.show_history(RunHistory.from_folder(run.facts.run_dir))
    QApplication.processEvents()
    # pyqtgraph picks ticks for the plot's height on screen; at print size a -ELBO falling
    # from 330 to 311 got a single labelled tick, so the page's curves get their own.
    # (kept off the ends, where pyqtgraph drops a label that would not fit).
    low, high = widget.plot.getPlotItem().viewRange()[1]
    inside = (high - low) * TICK_INSET
    widget.plot.getPlotItem().getAxis("left").setTicks([nice_ticks(low + inside, high - inside)])
    return Figure(name, size, view_painter(widget.plot), widget=widget)


def nice_ticks(low: float, high: float, least: int = 3) -> list[tuple[float, str]]:
    """The widest ticks (1, 2 or 5 times a power of ten apart) giving at least `least` inside
    [low, high]."""
    power = 10.0 ** math.ceil(math.log10(max(high - low, 1e-12)))
    for k in range(12):
        step = power / 10**k
        for factor in (1.0, 0.5, 0.2):
            first, last = math.ceil(low / (step * factor)), math.floor(high / (step * factor))
            if last - first + 1 >= least:
                return [
                    (n * step * factor, f"{n * step * factor:g}") for n in range(first, last + 1)
                ]
    return [(low, f"{low:g}"), (high, f"{high:g}")]


def grid_figure(name: str, grid: LabelledGrid, title: str) -> Figure:
    """An image grid under a title, with its row labels (if any) left of each row."""
    image = to_qimage(grid.grid)
    left = ROW_LABEL_WIDTH if grid.row_labels else 0.0
    centred = Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap
    right = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter

    def paint(painter: QPainter, rect: QRectF) -> None:
        painter.setFont(QFont("DejaVu Sans", TEXT_PT))
        painter.drawText(QRectF(0, 0, rect.width(), TITLE_HEIGHT), centred, title)
        shown = draw_image(painter, image, rect.adjusted(left, TITLE_HEIGHT, 0, 0))
        row = shown.height() / max(len(grid.row_labels), 1)
        for r, label in enumerate(grid.row_labels):
            box = QRectF(shown.left() - left, shown.top() + r * row, left - 4, row)
            painter.drawText(box, right, label)

    picture = QSizeF(image.width() * GRID_SCALE, image.height() * GRID_SCALE)
    return Figure(name, picture, paint, QSizeF(left, TITLE_HEIGHT))


def path_figure(name: str, path: PathPicture, title: str) -> Figure:
    """A strip of decoded images along a path, between the original A and B (if any).

    The t values (and A's and B's captions) are printed small enough to fit their cells.
    """
    images = list(path.strip.images)
    captions = [f"t={t:.2f}" for t in path.strip.ts]
    gaps = [0.0] * len(images)
    if path.ends:
        images = [path.ends[0] / 255, *images, path.ends[1] / 255]
        captions = ["A", *captions, "B"]  # the title names them
        gaps = [0.0, END_GAP, *gaps[1:], END_GAP]  # space between the originals and the strip
    units = len(images) + sum(gaps)
    centred = Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap

    def paint(painter: QPainter, rect: QRectF) -> None:
        painter.setFont(QFont("DejaVu Sans", TEXT_PT))
        painter.drawText(QRectF(0, 0, rect.width(), PATH_TITLE_HEIGHT), centred, title)
        cell = min(rect.width() / units, rect.height() - PATH_TITLE_HEIGHT - LABEL_HEIGHT)
        x = (rect.width() - cell * units) / 2
        painter.setFont(QFont("DejaVu Sans", min(TEXT_PT - 1, max(4.5, cell / 6))))
        for image, caption, gap in zip(to_uint8(np.stack(images)), captions, gaps, strict=True):
            x += gap * cell
            box = QRectF(x, PATH_TITLE_HEIGHT, cell, cell)
            draw_image(painter, to_qimage(image), box.adjusted(1, 1, -1, -1))
            label = QRectF(x - cell * END_GAP, box.bottom(), cell * (1 + 2 * END_GAP), LABEL_HEIGHT)
            painter.drawText(
                label, Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop, caption
            )
            x += cell

    return Figure(
        name, QSizeF(CELL * units, CELL), paint, QSizeF(0, PATH_TITLE_HEIGHT + LABEL_HEIGHT)
    )


def class_histogram_plot(histograms: dict[str, list[float]], text_pt: int = 0) -> pg.PlotWidget:
    """Share of samples the classifier puts in each class, per run (mode collapse shows)."""
    plot = make_plot(
        "Classes of the samples, as the classifier sees them",
        "",
        "share of samples",
        text_pt=text_pt,
    )
    item = plot.getPlotItem()
    legend_below(item, len(histograms), text_pt)
    width = 0.8 / max(len(histograms), 1)
    for k, (run, shares) in enumerate(histograms.items()):
        bars = pg.BarGraphItem(
            x=np.arange(10) + (k - (len(histograms) - 1) / 2) * width,
            height=shares,
            width=width,
            brush=CLASS_COLOURS[k * 3 % len(CLASS_COLOURS)],
            name=run,
        )
        item.addItem(bars)
    item.addLine(y=0.1, pen=pg.mkPen("k", style=Qt.PenStyle.DashLine))  # the data's share
    item.getAxis("bottom").setTicks([[(k, name.split("/")[0]) for k, name in enumerate(CLASSES)]])
    return plot


def class_histogram_figure(name: str, histograms: dict[str, list[float]]) -> Figure:
    """The class histogram as a report figure."""
    size = QSizeF(560, 230)
    plot = offscreen(class_histogram_plot(histograms, PRINT_PT), size)
    return Figure(name, size, view_painter(plot), widget=plot)


class FigureView(QWidget):
    """Shows a report figure laid out at the widget's size, so its text stays readable."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.figure: Figure | None = None
        self.setMinimumSize(160, 160)

    def set_figure(self, figure: Figure | None) -> None:
        """Show `figure` (None for nothing)."""
        self.figure = figure
        self.update()

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor("white"))
        if self.figure is not None:
            self.figure.draw(painter, QRectF(self.rect()))
        painter.end()
