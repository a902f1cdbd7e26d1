"""The one-page A4 report: who hands it in, what was done and how, the results, what they mean.

It is built from sections (trainer numbers, figures of the runs chosen for the page, the user's
pinned interpolations) that `layout.fit_page` fits onto one page whatever the number of runs.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, replace
from pathlib import Path

from PySide6.QtCore import QRectF
from PySide6.QtGui import QPainter

from fmgen_gui.assets import page_template
from fmgen_gui.export import DocumentInfo, render_pages, render_to_file
from fmgen_gui.report.appendix import appendix_sections
from fmgen_gui.report.dial_figure import dial_rows
from fmgen_gui.report.figures import (
    LABEL_HEIGHT,
    PATH_TITLE_HEIGHT,
    TITLE_HEIGHT,
    Figure,
    curve_figure,
    grid_figure,
    path_figure,
)
from fmgen_gui.report.layout import (
    A4,
    GAP,
    MARGIN,
    FigureRow,
    Section,
    TextSection,
    fit_page,
    paint_page,
    text_section,
)
from fmgen_gui.report.sweep import sweep_sections
from fmgen_gui.report.tables import page_table
from fmgen_gui.report.theory_page import write_theory_page
from fmgen_gui.report.translation_figures import translation_figures
from trainer.common import keys
from trainer.common.words import join_words
from trainer.evaluation.document import write_metrics
from trainer.evaluation.pictures import PathPicture
from trainer.evaluation.results import Evaluation, RunEvaluation
from trainer.report.descriptions import descriptions
from trainer.report.interpret import headline
from trainer.report.options import MAX_ON_PAGE, ReportOptions, command_line, drawn_pairs
from trainer.runs.metrics_json import TEST_SECTION

MM = A4.width() / 210  # page pixels per printed millimetre
# Printed sizes a grader can read: a strip's frames at least 12 mm, a grid at least 50 mm.
FRAME_MIN_MM, GRID_MIN_MM = 12.0, 50.0
PATH_MAX = PATH_TITLE_HEIGHT + LABEL_HEIGHT + 20 * MM
# (+ 2: a frame is drawn a pixel inside its cell on each side)
PATH_MIN = PATH_TITLE_HEIGHT + LABEL_HEIGHT + FRAME_MIN_MM * MM + 2
GRID_MAX, GRID_MIN = TITLE_HEIGHT + 70 * MM, TITLE_HEIGHT + GRID_MIN_MM * MM


def default_title(evaluation: Evaluation) -> str:
    """'VAE and GAN on Fashion-MNIST': the models of the runs."""
    labels = dict.fromkeys(run.spec.label for run in evaluation.runs.values())
    return f"{join_words(list(labels))} on Fashion-MNIST"


def header_html(evaluation: Evaluation, options: ReportOptions) -> str:
    """Title, who hands it in, for which course, when; and their comment."""
    metrics = evaluation.metrics
    title = options.title or default_title(evaluation)
    who = [f"by {html.escape(join_words(list(options.authors)))}"] if options.authors else []
    who += [html.escape(options.course)] if options.course else []
    who += [f"{metrics['created'][:10]}, fmgen {metrics['fmgen_version']}"]
    text = page_template("header").substitute(title=html.escape(title), who=" &middot; ".join(who))
    if options.comment:
        text += page_template("comment").substitute(comment=html.escape(options.comment))
    return text


def path_title(run: RunEvaluation, path: PathPicture, seed: int) -> str:
    """'VAE: within a class, Shirt #12 to Shirt #345 (slerp)', saying when it was random."""
    title = f"{run.facts.label}: {path.kind.lower()}, {path.title}"
    if path.random and path.pin.source == "latent":
        # The title already names the draws' own seeds: the report's seed too read as a third
        # seed of one pair (trial defect 12).
        title += ", drawn at random as none was pinned"
    elif path.random:
        title += f", a pair drawn at random (seed {seed}), as none was pinned"
    return title


def reconstruction_title(run: RunEvaluation) -> str:
    """The reconstruction figure's caption, with the test set's reconstruction error."""
    overall = run.metrics[TEST_SECTION]["overall"]
    return (
        f"{run.facts.label}: test images above their reconstructions (error "
        f"{overall[keys.RECON]:.1f} nats an image, MSE {overall[keys.MSE]:.4f} a pixel)"
    )


def reproduce_options(evaluation: Evaluation, options: ReportOptions) -> ReportOptions:
    """The options that make this page again: its runs, its drawn pairs, its page runs, and
    the sample count really used (a CPU's cap for a multi-step sampler is not another
    machine's)."""
    runs = tuple(Path(run.facts.run_dir).resolve() for run in evaluation.runs.values())
    keys = list(evaluation.runs)
    return replace(
        options,
        runs=runs,
        samples=evaluation.metrics["sample_count"],
        pairs=drawn_pairs(evaluation.runs, options),
        on_page=tuple(options.page_runs(keys)) if len(keys) > MAX_ON_PAGE else (),
    )


@dataclass
class ReportPage:
    """The page's sections and every figure (those of runs off the page too)."""

    evaluation: Evaluation
    options: ReportOptions
    figures: dict[str, Figure]
    sections: list[Section]
    appendix: list[Section]  # the second page's sections; empty: no appendix

    def paint(self, painter: QPainter, rect: QRectF) -> None:
        """Lay out and draw the whole page inside `rect` (an A4 page)."""
        paint_page(painter, fit_page(self.sections, rect.size()))

    def paint_appendix(self, painter: QPainter, rect: QRectF) -> None:
        """Lay out and draw the appendix page inside `rect`."""
        paint_page(painter, fit_page(self.appendix, rect.size()))

    def info(self) -> DocumentInfo:
        """The PDF's title and authors."""
        title = self.options.title or default_title(self.evaluation)
        return DocumentInfo(title, self.options.authors)


def _run_figures(key: str, run: RunEvaluation, seed: int) -> dict[str, Figure]:
    label = run.facts.label
    figures = {"curves": curve_figure(f"{key}-curves", run)}
    if run.spec.translates:  # no samples: its translations, and paths would mean nothing
        return {**figures, **translation_figures(key, run)}
    noun = "samples, every class equally often" if run.spec.conditional else "samples"
    figures["samples"] = grid_figure(f"{key}-samples", run.grids["samples"], f"{label}: {noun}")
    if run.spec.posterior:
        figures["reconstructions"] = grid_figure(
            f"{key}-reconstructions", run.grids["reconstructions"], reconstruction_title(run)
        )
        figures["worst"] = grid_figure(
            f"{key}-worst",
            run.grids["worst"],
            f"{label}: worst-reconstructed test images per class (image, reconstruction)",
        )
    for i, path in enumerate(run.paths):
        figures[f"path-{i}"] = path_figure(f"{key}-path-{i}", path, path_title(run, path, seed))
    return figures


def _rows(evaluation: Evaluation, on_page: list[str], per_run: dict) -> list[FigureRow]:
    """The exercise's pictures: grids, then a strip per interpolation at full width, extra
    strips where room is left. The training curves are the appendix's (and in figures/)."""
    runs = evaluation.runs

    def figures(part: str) -> list[Figure]:
        return [per_run[k][part] for k in on_page if part in per_run[k]]

    grids = [*figures("samples"), *figures("translation"), *figures("adaptation")]
    grids += figures("reconstructions")
    # Three grids side by side get GRID_MIN_MM each; more share the width, smaller, so the
    # strips below them keep their room.
    cell = (A4.width() - 2 * MARGIN - GAP * (len(grids) - 1)) / max(len(grids), 1)
    low = min(GRID_MIN, TITLE_HEIGHT + cell)
    rows = [FigureRow("grids", grids, GRID_MAX, low, columns=len(grids))]
    for key in on_page:
        for name, figure in per_run[key].items():
            if _is_main(runs[key], name):
                rows.append(FigureRow(f"{key}-{name}", [figure], PATH_MAX, PATH_MIN))
    for key in on_page:
        extras = [f for name, f in per_run[key].items() if _is_extra(runs[key], name)]
        if extras:
            rows.append(FigureRow(f"{key}-extras", extras, PATH_MAX, PATH_MIN, True, 2, 2))
    return [r for r in rows if r.figures]


def _is_main(run: RunEvaluation, name: str) -> bool:
    return name.startswith("path-") and run.paths[int(name[5:])].pin.role != "extra"


def _is_extra(run: RunEvaluation, name: str) -> bool:
    return name.startswith("path-") and run.paths[int(name[5:])].pin.role == "extra"


def description_html(evaluation: Evaluation, options: ReportOptions, on_page: list[str]) -> str:
    """The group's description of each run on the page (or the one made from its facts)."""
    own = dict(options.descriptions)
    made = descriptions(evaluation.metrics)
    template = page_template("description")
    return "".join(
        template.substitute(
            label=html.escape(evaluation.runs[key].facts.label),
            text=html.escape(own.get(key) or made[key]),
        )
        for key in on_page
    )


def build_page(evaluation: Evaluation, options: ReportOptions) -> ReportPage:
    """Every figure, and the page's sections for the runs chosen for it."""
    metrics = evaluation.metrics
    seed = metrics["settings"]["seed"]
    per_run = {key: _run_figures(key, run, seed) for key, run in evaluation.runs.items()}
    figures = {f.name: f for parts in per_run.values() for f in parts.values()}
    on_page = options.page_runs(list(evaluation.runs))
    rows = _rows(evaluation, on_page, per_run)
    sweep = sweep_sections(metrics)  # the sweep figure (or why none) when the runs are a sweep
    dials = dial_rows(evaluation)  # every run's into figures/, the page runs' onto the page
    sweep += [row for key in on_page for row in dials.get(key, [])]
    figures.update(
        {f.name: f for r in [*rows, *sweep] if isinstance(r, FigureRow) for f in r.figures}
    )
    figures.update({f.name: f for runs in dials.values() for r in runs for f in r.figures})
    reproduce = command_line(reproduce_options(evaluation, options))
    # The sweep goes right after the grids: a full page drops figure rows from the end (the
    # last runs' strips) before it would drop the one figure about the runs together.
    at = next((i + 1 for i, r in enumerate(rows) if r.name == "grids"), 0)
    sections: list[Section] = [
        TextSection("header", header_html(evaluation, options)),
        TextSection("descriptions", description_html(evaluation, options, on_page)),
        *rows[:at],
        *sweep,
        *rows[at:],
        TextSection("table", page_table(metrics), 0.9),
        text_section("result", result=" ".join(headline(metrics))),
        text_section("footer", 0.8, True, command=reproduce),
    ]
    appendix = appendix_sections(evaluation, per_run) if options.appendix else []
    figures.update({f.name: f for r in appendix if isinstance(r, FigureRow) for f in r.figures})
    return ReportPage(evaluation, options, figures, sections, appendix)


@dataclass(frozen=True)
class ReportFiles:
    """What `export_report` wrote."""

    pdf: Path
    preview: Path
    figures: list[Path]
    metrics: list[Path]
    theory: Path  # the theory part's page, beside the report (never one of its pages)


def export_report(
    evaluation: Evaluation, options: ReportOptions, out_dir: Path | str
) -> ReportFiles:
    """report.pdf (one A4 page, and the appendix page when asked), report.png (the first
    page's preview), figures/*.png|svg, metrics.json, and theory.pdf (the theory part's
    statements with the runs' evidence)."""
    out = Path(out_dir)
    page = build_page(evaluation, options)
    saved = [path for figure in page.figures.values() for path in figure.save(out / "figures")]
    pages = [page.paint, page.paint_appendix] if page.appendix else [page.paint]
    pdf = render_pages(out / "report.pdf", A4, pages, page.info())
    preview = render_to_file(out / "report.png", A4, page.paint)
    theory = write_theory_page(evaluation.metrics, out, page.info())
    return ReportFiles(pdf, preview, saved, write_metrics(evaluation, out), theory)
