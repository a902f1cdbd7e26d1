"""The look shared by every plot: white, black axes, readable on screen and on paper."""

from __future__ import annotations

import math
from collections.abc import Callable

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QTextOption
from PySide6.QtWidgets import QSizePolicy

from fmgen_gui.assets import colours

# On screen a plot never gets less than this data area: a layout short of room scrolls or
# squeezes something else (the DDPM's plot of 11 ranges of t was once 15 px high, Explore's
# path plot 60 px).
MIN_DATA_PX = 120
TITLE_ROW_PX = 30  # pyqtgraph's height for a one-line title
NARROWEST_TITLE_PX = 220  # a screen plot's title is at least this wide (LossPlot's minimum)
# One per class, from resources/colours.json: matplotlib's tab10, ten colours told apart by
# most readers, including most colour-blind ones. The Explore and Report tabs both draw them.
CLASS_COLOURS = colours()["classes"]


def style_plot(
    item: pg.PlotItem,
    title: str,
    x_label: str = "",
    y_label: str = "",
    on_save: Callable | None = None,
    text_pt: int = 0,
) -> pg.PlotItem:
    """Title, black axes without SI prefixes, and an optional 'Save figure' menu entry.

    `text_pt` sets print-sized text (axis labels; titles 1pt larger, ticks 1pt smaller) before
    anything is laid out; 0 keeps the screen's sizes.
    """
    item.setTitle(title, color="k", size=f"{text_pt + 1}pt" if text_pt else "11pt")
    if text_pt:
        _let_shrink(item.titleLabel)  # print figures break their titles themselves
    else:
        _wrap_title(item)
    style = {"color": "#000", "font-size": f"{text_pt}pt"} if text_pt else {}
    for side, label in (("bottom", x_label), ("left", y_label)):
        axis = item.getAxis(side)
        axis.setPen("k")
        axis.setTextPen("k")
        axis.enableAutoSIPrefix(False)  # a probability is not "x0.001" of anything
        if text_pt:
            axis.setTickFont(QFont("DejaVu Sans", text_pt - 1))
        if label:
            item.setLabel(side, label, **style)
    if on_save is not None:
        item.vb.menu.addSeparator()
        item.vb.menu.addAction("Save figure as PNG, SVG or PDF…", on_save)
    return item


def _let_shrink(label: pg.LabelItem) -> None:
    """Let a title be narrower than its text: pyqtgraph makes the text's width the minimum
    (again at each resize), which in a narrow column pushed a side legend out of sight."""
    text_minimum = label.updateMin

    def update_min() -> None:
        text_minimum()
        label.setMinimumWidth(0)  # the text, centred, overflows a little instead

    label.updateMin = update_min
    update_min()


def _wrap_title(item: pg.PlotItem) -> None:
    """Wrap a screen plot's title onto as many lines as its width needs, centred, in a title
    row tall enough for the lines it needs in the narrowest plot: pyqtgraph fixes the row at
    30 px, so a long title in a narrow plot (the DDPM's 'denoising loss per range of t') was
    clipped. The row is set once: changing it as the plot resized crashed Qt at exit."""
    label = item.titleLabel
    label.item.document().setDefaultTextOption(QTextOption(Qt.AlignmentFlag.AlignHCenter))
    label.item.setTextWidth(NARROWEST_TITLE_PX)
    height = max(TITLE_ROW_PX, math.ceil(label.itemRect().height()) + 4)
    label.setMaximumHeight(height)
    item.layout.setRowFixedHeight(0, height)
    text_minimum = label.updateMin

    def update_min() -> None:
        width = label.width() if label.width() > 0 else -1
        if label.item.textWidth() != width:
            label.item.setTextWidth(width)
            label.resizeEvent(None)  # centre the re-wrapped text (this comes back here once)
            return
        text_minimum()
        label.setMinimumWidth(0)

    label.updateMin = update_min
    update_min()


def make_plot(
    title: str,
    x_label: str = "",
    y_label: str = "",
    on_save: Callable | None = None,
    text_pt: int = 0,
    axis_items: dict[str, pg.AxisItem] | None = None,
):
    """A white PlotWidget styled by `style_plot`; `axis_items` replace default axes by side."""
    plot = pg.PlotWidget(background="w", axisItems=axis_items)
    style_plot(plot.getPlotItem(), title, x_label, y_label, on_save, text_pt)
    return plot


def make_layout() -> pg.GraphicsLayoutWidget:
    """A white layout for plots that need a neighbour (a legend, a second plot)."""
    layout = pg.GraphicsLayoutWidget()
    layout.setBackground("w")
    return layout


def keep_data_height(layout: pg.GraphicsLayoutWidget, *items: pg.PlotItem) -> int:
    """Give each plot of `layout` a data area of at least MIN_DATA_PX; returns the height the
    widget showing `layout` needs for that (its titles, axes and legends included): a
    GraphicsLayoutWidget does not tell Qt's layouts its items' minimum, so they squashed it."""
    for item in items:
        item.vb.setMinimumHeight(MIN_DATA_PX)
    layout.ci.layout.invalidate()  # its cached minimum predates legend entries and axis labels
    needed = layout.ci.effectiveSizeHint(Qt.SizeHint.MinimumSize).height()
    return math.ceil(needed) + 2 * layout.frameWidth()


def side_legend(layout: pg.GraphicsLayout, row: int, column: int, rows: int = 1) -> pg.LegendItem:
    """A legend in its own column beside `rows` plots, so it never hides data; compact at top."""
    side = layout.addLayout(row=row, col=column, rowspan=rows)
    legend = pg.LegendItem(labelTextColor="k")
    legend.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
    side.addItem(legend, row=0, col=0)
    side.addLabel("", row=1, col=0)  # takes the rest of the height
    side.layout.setRowStretchFactor(1, 1)
    layout.layout.setColumnStretchFactor(column - 1, 1)  # the plot grows; the legend does not
    return legend


LEGEND_COLUMNS = 3  # entries per legend row: the DDPM's 11 ranges of t fit the Train tab's plot


def legend_below(item: pg.PlotItem, columns: int, text_pt: int = 0) -> pg.LegendItem:
    """A legend under the x axis (rows of LEGEND_COLUMNS), outside the data area, so it never
    hides a curve.

    Named items added to `item` afterwards join it, as with `PlotItem.addLegend`.
    """
    legend = pg.LegendItem(
        labelTextColor="k",
        labelTextSize=f"{text_pt or 9}pt",
        colCount=min(max(columns, 1), LEGEND_COLUMNS),  # more entries wrap into rows
    )
    legend.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Maximum)
    legend.layout.setContentsMargins(4, 0, 4, 0)
    below_bottom_axis = 4  # PlotItem's grid: title 0, top axis 1, view box 2, bottom axis 3
    item.layout.addItem(legend, below_bottom_axis, 1, Qt.AlignmentFlag.AlignHCenter)
    item.legend = legend  # where PlotItem.addItem puts named items
    return legend
