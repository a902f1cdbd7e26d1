"""The one-page A4 report: what was done, how, and the result, laid out to fit one page."""

from __future__ import annotations

import html
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QRectF, QSizeF
from PySide6.QtGui import QFont, QPainter, QTextDocument

from fmgen_gui.export import render_to_file
from fmgen_gui.report.figures import Figure, report_figures
from trainer.evaluate import Evaluation, write_metrics
from trainer.interpret import describe_setup, interpret

A4 = QSizeF(793.7, 1122.5)  # 210 x 297 mm in 96-dpi pixels
MARGIN = 40.0
GAP = 8.0
ROWS = (  # figure rows, top to bottom, with their share of the height left for figures
    (("vae-elbo", "gan-losses"), 0.31),
    (("vae-reconstructions", "vae-samples", "gan-samples"), 0.33),
    (("strip-within",), 0.18),
    (("strip-between",), 0.18),
)


def _document(html_text: str, width: float, point_size: float = 8.5) -> QTextDocument:
    document = QTextDocument()
    document.setDefaultFont(QFont("DejaVu Sans", point_size))
    document.setDocumentMargin(0)
    document.setTextWidth(width)
    document.setHtml(html_text)
    return document


def _draw(painter: QPainter, document: QTextDocument, x: float, y: float) -> float:
    painter.save()
    painter.translate(x, y)
    document.drawContents(painter)
    painter.restore()
    return document.size().height()


def _fmt(value, digits: int = 3) -> str:
    return (
        "n/a" if value is None else f"{value:.{digits}g}" if abs(value) < 1000 else f"{value:.0f}"
    )


def metrics_tables(metrics: dict) -> str:
    """The two tables: the VAE on the test set, and samples against the test set."""
    parts = []
    if "vae" in metrics:
        o = metrics["vae"]["test"]["overall"]
        parts.append(
            "<p><b>VAE on the test set</b> (nats per image; mean reconstruction for BCE and MSE)"
            "</p><table border='1' cellspacing='0' cellpadding='2' width='100%'><tr>"
            "<th>BCE</th><th>MSE per pixel</th><th>KL</th><th>&minus;ELBO</th>"
            f"<th>IWAE bound (k = {o['iwae_k']})</th><th>bits/dim</th></tr><tr>"
            f"<td>{o['bce']:.1f}</td><td>{o['mse']:.4f}</td><td>{o['kl']:.1f}</td>"
            f"<td>{o['neg_elbo']:.1f}</td><td>{o['iwae_nll']:.1f}</td>"
            f"<td>{_fmt(o['bits_per_dim'])} {'' if o['bits_per_dim'] else '(binarised only)'}"
            "</td></tr></table>"
        )
    rows = [(f"{k.upper()} samples", metrics[k]["samples"]) for k in ("vae", "gan") if k in metrics]
    rows += [
        ("real training images (floor)", metrics["calibration"]["real_train_vs_test"]),
        ("uniform noise (ceiling)", metrics["calibration"]["noise_vs_test"]),
    ]
    header = "".join(
        f"<th>{h}</th>"
        for h in (
            "",
            "FID ↓",
            "KID ↓",
            "precision ↑",
            "recall ↑",
            "density ↑",
            "coverage ↑",
            "confidence",
        )
    )
    body = "".join(
        f"<tr><td>{name}</td><td>{m['fid']:.1f}</td><td>{m['kid']:.2f}</td>"
        f"<td>{m['precision']:.2f}</td><td>{m['recall']:.2f}</td><td>{m['density']:.2f}</td>"
        f"<td>{m['coverage']:.2f}</td><td>{m['mean_confidence']:.2f}</td></tr>"
        for name, m in rows
    )
    parts.append(
        f"<p><b>Samples against the {metrics['data']['test_size']:,} test images</b>, in the "
        "classifier's features (k = 3 neighbours for precision, recall, density, coverage)</p>"
        f"<table border='1' cellspacing='0' cellpadding='2' width='100%'><tr>{header}</tr>"
        f"{body}</table>"
    )
    return "".join(parts)


@dataclass
class ReportPage:
    """Paints the page from an evaluation and its figures."""

    evaluation: Evaluation
    figures: dict[str, Figure]

    def paint(self, painter: QPainter, rect: QRectF) -> None:
        """Lay out and draw the whole page inside `rect` (an A4 page)."""
        metrics = self.evaluation.metrics
        width = rect.width() - 2 * MARGIN
        x, y = rect.left() + MARGIN, rect.top() + MARGIN
        title = _document(
            "<p style='font-size:15pt'><b>A VAE and a GAN on Fashion-MNIST</b></p>"
            f"<p style='color:#555'>Report by fmgen {metrics['fmgen_version']}, "
            f"{metrics['created'][:10]}; every number is in metrics.json.</p>",
            width,
        )
        setup = _document(
            f"<p><b>What was done and how.</b> {html.escape(describe_setup(metrics))}</p>", width
        )
        tables = _document(metrics_tables(metrics), width, 8)
        result = _document(
            "<p><b>Result.</b> " + html.escape(" ".join(interpret(metrics))) + "</p>", width
        )
        footer = _document(f"<p style='color:#555'>{html.escape(self.reproduce())}</p>", width, 7)
        texts = (title, setup, tables, result, footer)
        text_height = sum(d.size().height() for d in texts) + GAP * (len(texts) + len(ROWS))
        figure_height = rect.height() - 2 * MARGIN - text_height
        y += _draw(painter, title, x, y) + GAP
        y += _draw(painter, setup, x, y) + GAP
        for names, share in ROWS:
            y += self._row(painter, names, QRectF(x, y, width, figure_height * share)) + GAP
        y += _draw(painter, tables, x, y) + GAP
        y += _draw(painter, result, x, y) + GAP
        _draw(painter, footer, x, rect.bottom() - MARGIN - footer.size().height())

    def _row(self, painter: QPainter, names: tuple[str, ...], rect: QRectF) -> float:
        """Figures side by side, each as large as fits its cell at its own aspect ratio."""
        present = [self.figures[n] for n in names if n in self.figures]
        if not present:
            return 0.0
        cell = (rect.width() - GAP * (len(present) - 1)) / len(present)
        for i, figure in enumerate(present):
            scale = figure.fit(QSizeF(cell, rect.height()))
            left = rect.left() + i * (cell + GAP) + (cell - figure.size.width() * scale) / 2
            painter.save()
            painter.translate(left, rect.top())
            painter.scale(scale, scale)
            figure.paint(painter, QRectF(0, 0, figure.size.width(), figure.size.height()))
            painter.restore()
        return rect.height()

    def reproduce(self) -> str:
        """How to make this page again."""
        runs = " ".join(f"--{k} {m.run_dir}" for k, m in self.evaluation.models.items())
        settings = self.evaluation.metrics["settings"]
        return (
            f"Reproduce: fmgen-report {runs} --samples {settings['samples']} "
            f"--iwae-k {settings['iwae_k']} --seed {settings['seed']} --out DIR"
        )


@dataclass(frozen=True)
class ReportFiles:
    """What `export_report` wrote."""

    pdf: Path
    preview: Path
    figures: list[Path]
    metrics: list[Path]


def export_report(evaluation: Evaluation, out_dir: Path | str) -> ReportFiles:
    """report.pdf (one A4 page), report.png (its preview), figures/*.png|svg, metrics.json."""
    out = Path(out_dir)
    figures = report_figures(evaluation)
    saved = [path for figure in figures.values() for path in figure.save(out / "figures")]
    page = ReportPage(evaluation, figures)
    pdf = render_to_file(out / "report.pdf", A4, page.paint)
    preview = render_to_file(out / "report.png", A4, page.paint)
    metrics = write_metrics(evaluation, out)
    return ReportFiles(pdf, preview, saved, metrics)
