"""The page layout: figures shrink, optional sections drop, nothing leaves the A4 page."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from fmgen_gui.report.figures import grid_figure
from fmgen_gui.report.layout import (
    A4,
    BORDER_SLACK,
    MARGIN,
    FigureRow,
    TextSection,
    fit_page,
)
from tests.gui_helpers import mid_word_breaks
from trainer.evaluation.pictures import LabelledGrid

GRID = LabelledGrid(np.zeros((242, 242), np.uint8))  # an 8 x 8 grid of 28 x 28 images
WIDE_TABLE = "<table border='1' width='100%'><tr>" + "<td>parameters</td>" * 12 + "</tr></table>"
TEXT = "<p>" + "Words of the report, measured and stated. " * 40 + "</p>"


def row(name: str, runs: int, optional: bool = False, priority: int = 0) -> FigureRow:
    figures = [grid_figure(f"{name}-{i}", GRID, f"{name} {i}") for i in range(runs)]
    return FigureRow(name, figures, 200, 90, optional, priority)


def page(rows: list[FigureRow], texts: int = 3) -> list:
    texts_after = [TextSection(f"text-{i}", TEXT) for i in range(1, texts)]
    footer = TextSection("footer", "<p>Reproduce: fmgen-report ...</p>", 0.8, True)
    return fit_page([TextSection("text-0", TEXT), *rows, *texts_after, footer])


def assert_on_one_page(placed: list) -> None:
    for item in placed:
        assert item.rect.top() >= MARGIN - 1e-6
        assert item.rect.bottom() <= A4.height() - MARGIN + 1e-6
    flowing = sorted((p for p in placed if p.section.name != "footer"), key=lambda p: p.rect.top())
    for above, below in itertools.pairwise(flowing):
        assert above.rect.bottom() <= below.rect.top() + 1e-6  # no overlap
    footer = next(p for p in placed if p.section.name == "footer")
    assert flowing[-1].rect.bottom() <= footer.rect.top() + 1e-6


@pytest.mark.usefixtures("qtbot")
def test_few_rows_keep_their_natural_size():
    rows = [row("curves", 2), row("samples", 2), row("histogram", 1, optional=True)]
    placed = page(rows, texts=1)
    assert_on_one_page(placed)
    heights = {p.section.name: p.rect.height() for p in placed}
    assert heights["histogram"] == pytest.approx(200)  # its maximum: it fits the width
    assert {"curves", "samples", "histogram"} <= heights.keys()


@pytest.mark.usefixtures("qtbot")
def test_more_runs_shrink_figures_and_drop_optional_rows_first():
    mandatory = [row(f"run-{i}", 4) for i in range(6)]
    optional = [row("reconstructions", 4, True, 0), row("histogram", 1, True, 1)]
    placed = page(mandatory + optional)
    assert_on_one_page(placed)
    names = [p.section.name for p in placed]
    assert "reconstructions" not in names  # the lowest priority went first
    assert all(f"run-{i}" in names for i in range(6))
    heights = [p.rect.height() for p in placed if p.section.name.startswith("run-")]
    assert all(90 - 1e-6 <= h < 200 for h in heights)  # shrunk, not below their minimum


@pytest.mark.usefixtures("qtbot")
def test_too_much_for_one_page_drops_the_last_rows_rather_than_spill():
    placed = page([row(f"run-{i}", 2) for i in range(12)], texts=4)
    assert_on_one_page(placed)
    kept = [p.section.name for p in placed if p.section.name.startswith("run-")]
    assert kept == [f"run-{i}" for i in range(len(kept))] and 0 < len(kept) < 12


@pytest.mark.usefixtures("qtbot")
def test_a_table_too_wide_for_its_words_gets_smaller_text_not_words_broken_in_two():
    placed = fit_page([TextSection("table", WIDE_TABLE), row("samples", 2)])
    table = next(p for p in placed if p.section.name == "table")
    assert table.document.defaultFont().pointSizeF() < 8.5  # the largest size did not fit
    assert table.document.size().width() <= A4.width() - 2 * MARGIN + BORDER_SLACK
    assert mid_word_breaks(table.document) == []
