"""The optional second page: every table and number the one-page report leaves out.

The page answers the exercise; the appendix keeps what a reader checking the work wants: the
full comparison (likelihoods, costs, the calibration rows), the ELBO's terms, how each number
was measured, the caveats, and the pictures behind the verdicts.
"""

from __future__ import annotations

import html

from fmgen_gui.report.dial_table import dial_tables
from fmgen_gui.report.figures import Figure, class_histogram_figure
from fmgen_gui.report.layout import FigureRow, Section, TextSection, text_section
from fmgen_gui.report.tables import comparison_table, likelihood_table, table_notes
from trainer.common import keys
from trainer.evaluation.results import Evaluation
from trainer.report.interpret import describe_setup, details
from trainer.runs.metrics_json import SAMPLES_SECTION

MORE = "<p><b>More on the result.</b> {}</p>"
HEADING = (
    "<p style='font-size:12pt'><b>Appendix: every number</b></p>"
    "<p style='color:#555'>A second page, not part of the one-page report: the full "
    "comparison, how each number was measured, and the pictures behind the verdicts.</p>"
)


def appendix_sections(
    evaluation: Evaluation, per_run: dict[str, dict[str, Figure]]
) -> list[Section]:
    """The appendix page's sections: heading, settings, tables, notes, details, pictures."""
    metrics = evaluation.metrics
    histograms = {
        run.facts.label: run.metrics[SAMPLES_SECTION][keys.CLASS_HISTOGRAM]
        for run in evaluation.runs.values()
        if SAMPLES_SECTION in run.metrics  # a translator draws no samples
    }
    worst = [figures["worst"] for figures in per_run.values() if "worst" in figures]
    curves = [figures["curves"] for figures in per_run.values()]
    rows = [
        FigureRow("appendix-curves", curves, 200, 150, optional=True, priority=1),
        FigureRow("appendix-worst", worst, 220, 110, optional=True, priority=2),
        FigureRow(
            "appendix-classes",
            [class_histogram_figure("sample-classes", histograms)],
            190,
            120,
            optional=True,
            priority=3,
        ),
    ]
    more = html.escape(" ".join(details(metrics)))
    return [
        TextSection("appendix-heading", HEADING),
        text_section("setup", setup=describe_setup(metrics)),
        TextSection(
            "appendix-table",
            comparison_table(metrics) + likelihood_table(metrics) + dial_tables(metrics),
            0.9,
        ),
        text_section("notes", 0.85, notes=table_notes(metrics)),
        *([TextSection("appendix-result", MORE.format(more))] if more else []),
        *(row for row in rows if row.figures),
    ]
