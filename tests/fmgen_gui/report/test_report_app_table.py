"""The Evaluate tab's table fits a 1280x800 window in short cells, details in tooltips
(trial defect 12: 11 columns of 4-6-line cells and a horizontal scroll bar)."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QTextCursor, QTextTable

from fmgen_gui.report.tables import results_html
from tests.gui_helpers import make_window
from tests.runs import tiny_run
from trainer.evaluation.evaluate import evaluate
from trainer.evaluation.results import EvaluationSettings
from trainer.metrics.classifier import train_classifier

pytestmark = pytest.mark.timeout(300)


@pytest.fixture(scope="module")
def metrics(tiny_data, tiny_data_dir, tmp_path_factory) -> dict:
    base = tmp_path_factory.mktemp("app-table")
    runs = [tiny_run(model, tiny_data_dir, base / model) for model in ("vae", "ddpm")]
    classifier = train_classifier(tiny_data, epochs=1)
    settings = EvaluationSettings(samples=50, iwae_k=3, dial_sweep=False)
    return evaluate(runs, tiny_data, *classifier, settings).metrics


def _cells(table: QTextTable) -> list[list[QTextCursor]]:
    return [
        [table.cellAt(row, column).firstCursorPosition() for column in range(table.columns())]
        for row in range(table.rows())
    ]


def _lines(cursor: QTextCursor) -> int:
    """Lines of the cell's text as laid out (a cell's blocks, each wrapped)."""
    cell = cursor.currentTable().cellAt(cursor)
    block, lines = cursor.block(), 0
    while block.isValid() and block.position() <= cell.lastCursorPosition().position():
        lines += block.layout().lineCount()
        block = block.next()
    return lines


def test_the_table_fits_the_window_in_short_cells_with_details_on_hover(
    qtbot, tmp_path, tiny_data_dir, metrics
):
    window = make_window(qtbot, tmp_path, tiny_data_dir)
    window.resize(1280, 800)
    window.tabs.setCurrentWidget(window.report)
    view = window.report.text
    view.setHtml(results_html(metrics))
    qtbot.wait(100)
    (table, *_) = [
        f for f in view.document().rootFrame().childFrames() if isinstance(f, QTextTable)
    ]
    assert table.columns() <= 9
    assert view.horizontalScrollBar().maximum() == 0  # no sideways scrolling
    rows = _cells(table)
    tallest = max(_lines(cell) for row in rows for cell in row)
    assert tallest <= 2, tallest  # the run's name and "failed: see Result" take two
    vae, ddpm = rows[1:3]
    assert [_lines(row[1]) for row in (vae, ddpm)] == [2, 2]  # "200 images," / "1 epoch"
    assert "parameters" in vae[0].charFormat().toolTip()
    assert vae[2].block().text() == "none"
    assert vae[2].charFormat().toolTip().startswith("none (its decoder")  # why: on hover
    assert ddpm[2].block().text().endswith("\u00a0bits/dim")
    assert "bound" in ddpm[2].charFormat().toolTip()  # and how it was estimated
    cost = ddpm[3].charFormat().toolTip()
    assert "network evaluation" not in ddpm[3].block().text()
    assert cost.split(" (")[0].isdigit() and "batch" in cost  # the sampler's steps, on hover
    assert rows[3][0].block().text() == "real images"
    assert "floor" in rows[3][0].charFormat().toolTip()
    setup = view.toPlainText()
    assert "VAE: latent size 4, learning rate" in setup
    assert "DDPM: learning rate" in setup  # not "latent size 784": it has no such setting
    window.close()
