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
from fmgen_gui.export import render_to_file
from fmgen_gui.report.figures import (
    Figure,
    class_histogram_figure,
    curve_figure,
    grid_figure,
    path_figure,
)
from fmgen_gui.report.layout import A4, FigureRow, Section, TextSection, fit_page, paint_page
from fmgen_gui.report.sweep import sweep_sections
from fmgen_gui.report.tables import comparison_table, likelihood_table, table_notes
from trainer import keys
from trainer.evaluate import Evaluation, RunEvaluation
from trainer.evaluation_pictures import PathPicture
from trainer.interpret import describe_setup, interpret
from trainer.metrics_document import SAMPLES_SECTION, write_metrics
from trainer.report_options import MAX_ON_PAGE, ReportOptions, command_line, drawn_pairs
from trainer.words import join_words

PATH_MAX, PATH_MIN = 110.0, 58.0  # heights of a row of strips: below the minimum, A and B blur


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
    if path.random:
        title += f"; nothing pinned: a random pair (seed {seed})"
    return title


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

    def paint(self, painter: QPainter, rect: QRectF) -> None:
        """Lay out and draw the whole page inside `rect` (an A4 page)."""
        paint_page(painter, fit_page(self.sections, rect.size()))


def _run_figures(key: str, run: RunEvaluation, seed: int) -> dict[str, Figure]:
    label = run.facts.label
    figures = {"curves": curve_figure(f"{key}-curves", run)}
    noun = "samples, every class equally often" if run.spec.conditional else "samples"
    figures["samples"] = grid_figure(f"{key}-samples", run.grids["samples"], f"{label}: {noun}")
    if run.spec.posterior:
        figures["reconstructions"] = grid_figure(
            f"{key}-reconstructions",
            run.grids["reconstructions"],
            f"{label}: test images (odd rows) above their reconstructions",
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
    runs = evaluation.runs

    def row(name: str, part: str, top: float, low: float, **kw) -> FigureRow | None:
        figures = [per_run[k][part] for k in on_page if part in per_run[k]]
        return FigureRow(name, figures, top, low, **kw) if figures else None

    rows = [row("curves", "curves", 180, 130), row("samples", "samples", 180, 100)]
    for key in on_page:
        mains = [f for name, f in per_run[key].items() if _is_main(runs[key], name)]
        extras = [f for name, f in per_run[key].items() if _is_extra(runs[key], name)]
        rows.append(FigureRow(f"{key}-paths", mains, PATH_MAX, PATH_MIN, columns=2))
        if extras:
            rows.append(FigureRow(f"{key}-extras", extras, PATH_MAX, PATH_MIN, True, 2, 2))
    rows.append(row("reconstructions", "reconstructions", 200, 100, optional=True, priority=0))
    rows.append(row("worst", "worst", 200, 110, optional=True, priority=3))
    histograms = {
        r.facts.label: r.metrics[SAMPLES_SECTION][keys.CLASS_HISTOGRAM] for r in runs.values()
    }
    histogram = class_histogram_figure("sample-classes", histograms)
    rows.append(FigureRow("sample-classes", [histogram], 190, 130, optional=True, priority=1))
    return [r for r in rows if r is not None]


def _is_main(run: RunEvaluation, name: str) -> bool:
    return name.startswith("path-") and run.paths[int(name[5:])].pin.role != "extra"


def _is_extra(run: RunEvaluation, name: str) -> bool:
    return name.startswith("path-") and run.paths[int(name[5:])].pin.role == "extra"


def _text(name: str, size: float = 1.0, at_bottom: bool = False, **words: str) -> TextSection:
    """The section `name`: its template filled in with `words`, escaped as HTML."""
    escaped = {key: html.escape(value) for key, value in words.items()}
    return TextSection(name, page_template(name).substitute(escaped), size, at_bottom)


def build_page(evaluation: Evaluation, options: ReportOptions) -> ReportPage:
    """Every figure, and the page's sections for the runs chosen for it."""
    metrics = evaluation.metrics
    seed = metrics["settings"]["seed"]
    per_run = {key: _run_figures(key, run, seed) for key, run in evaluation.runs.items()}
    figures = {f.name: f for parts in per_run.values() for f in parts.values()}
    on_page = options.page_runs(list(evaluation.runs))
    rows = _rows(evaluation, on_page, per_run)
    sweep = sweep_sections(metrics)  # the sweep figure (or why none) when the runs are a sweep
    figures.update(
        {f.name: f for r in [*rows, *sweep] if isinstance(r, FigureRow) for f in r.figures}
    )
    reproduce = command_line(reproduce_options(evaluation, options))
    # The sweep goes right after the samples: a full page drops figure rows from the end (the
    # last runs' strips) before it would drop the one figure about the runs together.
    at = next((i + 1 for i, r in enumerate(rows) if r.name == "samples"), len(rows))
    sections: list[Section] = [
        TextSection("header", header_html(evaluation, options)),
        _text("setup", setup=describe_setup(metrics)),
        *rows[:at],
        *sweep,
        *rows[at:],
        TextSection("table", comparison_table(metrics) + likelihood_table(metrics), 0.9),
        _text("notes", 0.85, notes=table_notes(metrics)),
        _text("result", result=" ".join(interpret(metrics))),
        _text("footer", 0.8, True, command=reproduce),
    ]
    return ReportPage(evaluation, options, figures, sections)


@dataclass(frozen=True)
class ReportFiles:
    """What `export_report` wrote."""

    pdf: Path
    preview: Path
    figures: list[Path]
    metrics: list[Path]


def export_report(
    evaluation: Evaluation, options: ReportOptions, out_dir: Path | str
) -> ReportFiles:
    """report.pdf (one A4 page), report.png (its preview), figures/*.png|svg, metrics.json."""
    out = Path(out_dir)
    page = build_page(evaluation, options)
    saved = [path for figure in page.figures.values() for path in figure.save(out / "figures")]
    pdf = render_to_file(out / "report.pdf", A4, page.paint)
    preview = render_to_file(out / "report.png", A4, page.paint)
    return ReportFiles(pdf, preview, saved, write_metrics(evaluation, out))
