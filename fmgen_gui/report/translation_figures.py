"""A translator's figures on the report (ModelSpec.translates, CycleGAN): its test images
translated and back; for a shifted domain, the domain-adaptation figure (the classifier's
accuracy on originals, shifted copies and F(shifted copies), CyCADA's before/after habit) and
a strip of test images, their shifted copies and F of those."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRectF, QSizeF, Qt
from PySide6.QtGui import QColor, QFont, QPainter

from fmgen_gui.report.figures import ROW_LABEL_WIDTH, TEXT_PT, TITLE_HEIGHT, Figure, grid_figure
from trainer.evaluation.pictures import LabelledGrid
from trainer.evaluation.results import RunEvaluation
from trainer.report.translation import adaptation_bars, adaptation_title, pair_of, strip_title

BAR_HEIGHT = 18.0  # natural height of one bar, in screen pixels
BARS_WIDTH = 260.0  # natural width of the bars' area
CELL = 28 + 2  # a grid row's pixels: an image and the padding above it (trainer.common.grids)
BAR_COLOURS = ("#4c72b0", "#c44e52", "#55a868")  # original, shifted, translated back


def translation_figures(key: str, run: RunEvaluation) -> dict[str, Figure]:
    """The run's figures by part: 'translation' (a strip for the page's grids row), and for a
    shifted domain 'adaptation' (the accuracy bars)."""
    label, section = run.facts.label, {**run.metrics, "config": run.facts.config}
    bars = adaptation_bars(section)
    if not bars:
        strip = LabelledGrid(run.grids["a_to_b"].grid, ("x", "G(x)", "F(G(x))"))
        title = strip_title(section, label, "a_to_b")
        return {"translation": grid_figure(f"{key}-translation", strip, title)}
    b = pair_of(section).b.lower()
    strip = LabelledGrid(
        _rows((run.grids["a_to_b"], 0), (run.grids["b_to_a"], 0), (run.grids["b_to_a"], 1)),
        ("x", b, f"F({b})"),
    )
    title = f"{label}: test images x, {b} copies, F of those"
    return {
        "translation": grid_figure(f"{key}-translation", strip, title),
        "adaptation": bars_figure(f"{key}-adaptation", bars, adaptation_title(section, label)),
    }


def _rows(*picks: tuple[LabelledGrid, int]) -> np.ndarray:
    """One grid of the chosen rows of tiled grids (each row an image high, padding above)."""
    rows = [grid.grid[row * CELL : (row + 1) * CELL] for grid, row in picks]
    bottom = picks[0][0].grid[-2:]  # the padding under the last row
    return np.concatenate([*rows, bottom])


def bars_figure(name: str, bars: list[tuple[str, float]], title: str) -> Figure:
    """Horizontal bars of shares in [0, 1], each labelled left and its value right."""
    centred = Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap
    right = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
    left = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter

    def paint(painter: QPainter, rect: QRectF) -> None:
        painter.setFont(QFont("DejaVu Sans", TEXT_PT))
        painter.drawText(QRectF(0, 0, rect.width(), TITLE_HEIGHT), centred, title)
        row = (rect.height() - TITLE_HEIGHT) / len(bars)
        room = rect.width() - 2 * ROW_LABEL_WIDTH  # a value's text right of its bar
        for i, ((text, share), colour) in enumerate(zip(bars, BAR_COLOURS, strict=False)):
            top = TITLE_HEIGHT + i * row
            painter.drawText(QRectF(0, top, ROW_LABEL_WIDTH - 4, row), right, text)
            bar = QRectF(ROW_LABEL_WIDTH, top + row * 0.15, room * share, row * 0.7)
            painter.fillRect(bar, QColor(colour))
            value = QRectF(bar.right() + 4, top, ROW_LABEL_WIDTH, row)
            painter.drawText(value, left, f"{share:.1%}")

    picture = QSizeF(BARS_WIDTH, BAR_HEIGHT * len(bars))
    return Figure(name, picture, paint, QSizeF(2 * ROW_LABEL_WIDTH, TITLE_HEIGHT))
