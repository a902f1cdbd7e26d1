"""The report's sweep section: the figure of metrics.json's sweep points, or why there is none.

The points and every word of the caption come from `trainer.evaluation.sweep_points`; this
only draws.
"""

from __future__ import annotations

import html

import pyqtgraph as pg
from PySide6.QtCore import QRectF, QSizeF, Qt
from PySide6.QtGui import QFont, QPainter
from PySide6.QtWidgets import QApplication

from fmgen_gui.report.figures import PRINT_PT, TEXT_PT, Figure, offscreen, view_painter
from fmgen_gui.report.layout import FigureRow, Section, TextSection
from fmgen_gui.widgets.plot_style import make_plot
from trainer.runs.metrics_json import SWEEP

CAPTION_WIDTH = 250.0  # the caption beside the plot, so the plot keeps the row's height
PLOT = QSizeF(420, 250)  # the plot's natural size
MIN_HEIGHT = 150.0  # below this the axis labels no longer fit
POINT_COLOUR = "#1f5fa8"
PADDING = 0.15  # of the data range around the points, so their labels stay inside


def sweep_plot(section: dict, text_pt: int = 0) -> pg.PlotWidget:
    """The sweep's points joined in the order of the setting, each labelled with its value."""
    plot = make_plot("", section["x_label"], section["y_label"], text_pt=text_pt)
    item = plot.getPlotItem()
    item.hideButtons()
    item.getViewBox().setDefaultPadding(PADDING)
    points = section["points"]
    item.plot(
        [p["x"] for p in points],
        [p["y"] for p in points],
        pen=pg.mkPen("#888", width=1),
        symbol="o",
        symbolSize=7,
        symbolPen=None,
        symbolBrush=POINT_COLOUR,
    )
    middle = (min(p["x"] for p in points) + max(p["x"] for p in points)) / 2
    for point in points:
        # labels beside their points, inwards: right of those in the left half, left of the others
        anchor = (-0.15, 0.5) if point["x"] <= middle else (1.15, 0.5)
        label = pg.TextItem(point["name"], color="k", anchor=anchor)
        label.setFont(QFont("DejaVu Sans", text_pt or 9))
        label.setPos(point["x"], point["y"])
        item.addItem(label)
    return plot


def sweep_figure(name: str, section: dict) -> Figure:
    """The sweep plot with its caption on its right, as a report figure."""
    plot = offscreen(sweep_plot(section, PRINT_PT), PLOT)
    draw_plot = view_painter(plot)
    left = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter | Qt.TextFlag.TextWordWrap

    def paint(painter: QPainter, rect: QRectF) -> None:
        box = rect.adjusted(0, 0, -CAPTION_WIDTH, 0)
        plot.resize(round(box.width()), round(box.height()))  # lay out at the drawn size
        QApplication.processEvents()
        draw_plot(painter, box)
        painter.setFont(QFont("DejaVu Sans", TEXT_PT))
        caption = QRectF(box.right() + 8, 0, CAPTION_WIDTH - 8, rect.height())
        painter.drawText(caption, left, section["caption"])

    return Figure(name, PLOT, paint, QSizeF(CAPTION_WIDTH, 0))


def sweep_sections(metrics: dict) -> list[Section]:
    """The sweep figure's row, a line saying why a sweep has none, or nothing (no sweep)."""
    section = metrics.get(SWEEP)
    if not section:
        return []
    if section["figure"] is None:
        return [TextSection(SWEEP, f"<p><i>{html.escape(section['reason'])}</i></p>", 0.9)]
    figure = sweep_figure(SWEEP, section)
    return [FigureRow(SWEEP, [figure], PLOT.height(), MIN_HEIGHT)]
