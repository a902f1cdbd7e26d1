"""theory.pdf: the course's theory statements with the evidence of the evaluated runs.

Exported beside report.pdf and never part of its one page (trainer/report/theory.py says what
is on it and why it gives no answers).
"""

from __future__ import annotations

import html
from pathlib import Path

from PySide6.QtCore import QRectF
from PySide6.QtGui import QPainter

from fmgen_gui.export import DocumentInfo, render_pages
from fmgen_gui.report.layout import A4, TextSection, fit_page, paint_page
from trainer.report.theory import TheoryLine, theory_lines

THEORY_FILE = "theory.pdf"
HEADING = (
    "<p style='font-size:12pt'><b>The theory part, with your runs' evidence</b></p>"
    "<p style='color:#555'>Each statement of the sheet in fmgen's words, and what the runs of "
    "this evaluation show about it (the numbers of report.pdf). Decide for yourself whether "
    "each statement is true: this page gives evidence, not answers.</p>"
)


def line_html(line: TheoryLine) -> str:
    """One statement, then its evidence (a sentence per run) or what to train to see it."""
    said = [f"&bull; {html.escape(sentence)}" for sentence in line.evidence]
    said = said or [f"<i>{html.escape(line.missing)}</i>"]
    return (
        f"<p style='margin-top:4px'><b>{line.number}. {html.escape(line.text)}</b><br>"
        + "<br>".join(said)
        + "</p>"
    )


def theory_sections(metrics: dict) -> list[TextSection]:
    """The page's sections: the heading, then one per statement."""
    lines = theory_lines(metrics)
    return [
        TextSection("theory-heading", HEADING),
        *(TextSection(f"theory-{line.number}", line_html(line)) for line in lines),
    ]


def write_theory_page(metrics: dict, out_dir: Path, info: DocumentInfo) -> Path:
    """theory.pdf in `out_dir`: one A4 page (the text shrinks to fit, as on the report)."""
    sections = theory_sections(metrics)

    def paint(painter: QPainter, rect: QRectF) -> None:
        paint_page(painter, fit_page(sections, rect.size()))

    title = DocumentInfo(f"{info.title}: the theory part", info.authors)
    return render_pages(Path(out_dir) / THEORY_FILE, A4, [paint], title)
