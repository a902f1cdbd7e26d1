"""The report's dial-sweep figure: a sampler dial's sweep (trainer.evaluation.dial_sweep) in one
picture, the quality/diversity trade-off: precision, recall (and the share labelled as asked)
beside FID, each against the dial's value.

The points come from the run's metrics, read as untrusted (`read_dial_sweeps`); this draws.
"""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import QRectF, QSizeF, Qt
from PySide6.QtGui import QFont, QPainter
from PySide6.QtWidgets import QApplication

from fmgen_gui.report.figures import PRINT_PT, TEXT_PT, Figure, offscreen, view_painter
from fmgen_gui.report.layout import FigureRow
from fmgen_gui.widgets.plot_style import legend_below, make_plot
from trainer.common import keys
from trainer.common.words import join_words, plural
from trainer.evaluation.dial_sweep import AS_ASKED, VALUE, DialSweep, read_dial_sweeps, value_words
from trainer.evaluation.results import Evaluation

PLOT = QSizeF(250, 180)  # each of the two plots' natural size
CAPTION_WIDTH = 200.0  # the caption beside the plots, so they keep the row's height
MIN_HEIGHT = 140.0  # below this the legend and the axis labels no longer fit
SHARE_COLOURS = {keys.PRECISION: "#1f5fa8", keys.RECALL: "#d62728", AS_ASKED: "#2ca02c"}
FID_COLOUR = "#444444"


def dial_positions(sweep: DialSweep) -> list[float]:
    """Each point's x: its value; the 'off' setting (None) one mean step past the largest."""
    numbers = sorted({p[VALUE] for p in sweep.points if p[VALUE] is not None})
    step = (numbers[-1] - numbers[0]) / (len(numbers) - 1) if len(numbers) > 1 else 1.0
    off = (numbers[-1] if numbers else 0.0) + step
    return [off if p[VALUE] is None else float(p[VALUE]) for p in sweep.points]


def _plot(sweep: DialSweep, metrics: tuple[str, ...], y_label: str) -> pg.PlotWidget:
    """`metrics` of the sweep's points against the dial; ticks at the swept values."""
    plot = make_plot("", sweep.label, y_label, text_pt=PRINT_PT)
    item = plot.getPlotItem()
    item.hideButtons()
    item.setTitle(None)  # no title row: the caption beside says what is drawn
    xs = dial_positions(sweep)
    order = sorted(range(len(xs)), key=xs.__getitem__)
    ticks = [(xs[i], value_words(sweep.points[i][VALUE], sweep.off)) for i in order]
    item.getAxis("bottom").setTicks([ticks])
    if len(metrics) > 1:
        legend_below(item, 2, PRINT_PT)  # two a row: three overflowed a narrow plot
    for metric in metrics:
        colour = SHARE_COLOURS.get(metric, FID_COLOUR)
        item.plot(
            [xs[i] for i in order],
            [sweep.points[i][metric] for i in order],
            pen=pg.mkPen(colour, width=1.5),
            symbol="o",
            symbolSize=6,
            symbolPen=None,
            symbolBrush=colour,
            name=keys.metric_label(metric),
        )
    return plot


def dial_caption(run_label: str, sweep: DialSweep, sample_count: int) -> str:
    """Every word from the run's sweep and the evaluation's sample count."""
    values = join_words([value_words(p[VALUE], sweep.off) for p in sweep.points])
    asked = AS_ASKED in sweep.metrics
    same = "latents and classes" if asked else "latents"
    text = (
        f"{run_label}: {sweep.label} swept over {values}; at each value "
        f"{plural(sample_count, 'sample')} of the same {same} against the test set. "
        "Precision is fidelity, recall diversity (the classifier's feature space); "
        "FID: lower is better."
    )
    if asked:
        text += " As asked: the share of samples the classifier labels as the class asked for."
    return text


def dial_figure(name: str, run_label: str, sweep: DialSweep, sample_count: int) -> Figure:
    """Shares and FID against the dial, side by side, with the caption on their right."""
    shares = tuple(m for m in sweep.metrics if m != keys.FID)
    plots = [
        offscreen(_plot(sweep, shares, "share"), PLOT),
        offscreen(_plot(sweep, (keys.FID,), keys.metric_label(keys.FID)), PLOT),
    ]
    painters = [view_painter(plot) for plot in plots]
    caption = dial_caption(run_label, sweep, sample_count)
    left = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter | Qt.TextFlag.TextWordWrap

    def paint(painter: QPainter, rect: QRectF) -> None:
        width = (rect.width() - CAPTION_WIDTH) / 2
        for i, (plot, draw) in enumerate(zip(plots, painters, strict=True)):
            plot.resize(round(width), round(rect.height()))  # lay out at the drawn size
            QApplication.processEvents()
            draw(painter, QRectF(i * width, 0, width, rect.height()))
        painter.setFont(QFont("DejaVu Sans", TEXT_PT))
        box = QRectF(2 * width + 8, 0, CAPTION_WIDTH - 8, rect.height())
        painter.drawText(box, left, caption)

    picture = QSizeF(2 * PLOT.width(), PLOT.height())
    return Figure(name, picture, paint, QSizeF(CAPTION_WIDTH, 0))


def dial_rows(evaluation: Evaluation) -> dict[str, list[FigureRow]]:
    """Per run, a row per dial sweep it has (none for runs without dials or sweeps)."""
    count = evaluation.metrics["sample_count"]
    rows: dict[str, list[FigureRow]] = {}
    for key, run in evaluation.runs.items():
        for sweep in read_dial_sweeps(run.metrics):
            name = f"{key}-dial-{sweep.name}"
            figure = dial_figure(name, run.facts.label, sweep, count)
            rows.setdefault(key, []).append(FigureRow(name, [figure], PLOT.height(), MIN_HEIGHT))
    return rows
