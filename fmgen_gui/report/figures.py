"""The report's figures: each a painter with a natural size, saved alone and drawn on the page."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, QSizeF, Qt
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import QApplication, QWidget

from fmgen_gui.explorer.latent_map import CLASS_COLOURS
from fmgen_gui.explorer.strip import LABEL_HEIGHT, TITLE_HEIGHT, paint_strip
from fmgen_gui.export import render_to_file
from fmgen_gui.widgets.loss_plot import LossPlot
from fmgen_gui.widgets.plot_style import legend_below, make_plot
from fmgen_gui.widgets.sample_grid import titled_image_painter, titled_image_size, to_qimage
from trainer.data import CLASSES
from trainer.evaluate import Evaluation
from trainer.history import RunHistory
from trainer.registry import get_model

FIGURE_FORMATS = (".png", ".svg")  # a raster and a vector version of each figure
PRINT_PT = 8  # text size of plots on the A4 page


@dataclass
class Figure:
    """A named drawing: `paint(painter, rect)` fills any rect, `size` is its natural size."""

    name: str
    size: QSizeF
    paint: Callable[[QPainter, QRectF], None]
    widget: QWidget | None = None  # the offscreen plot a figure is rendered from

    def fit(self, size: QSizeF) -> float:
        """Prepare to be drawn into `size`; returns the painter scale to use.

        Plots are laid out again at that size (pyqtgraph's legend text ignores the painter's
        scale and would overflow); drawings made by QPainter alone simply scale.
        """
        if self.widget is None:
            return min(size.width() / self.size.width(), size.height() / self.size.height())
        self.widget.resize(round(size.width()), round(size.height()))
        QApplication.processEvents()
        self.size = QSizeF(size)
        return 1.0

    def save(self, folder: Path) -> list[Path]:
        """Write the figure as PNG and SVG into `folder`."""
        return [
            render_to_file(folder / f"{self.name}{s}", self.size, self.paint)
            for s in FIGURE_FORMATS
        ]


def _offscreen(widget: QWidget, size: QSizeF) -> QWidget:
    """Lay a widget out at `size` without ever putting it on a screen."""
    widget.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen)
    widget.resize(round(size.width()), round(size.height()))
    widget.show()
    QApplication.processEvents()
    return widget


def _view_painter(view: pg.GraphicsView):
    def paint(painter: QPainter, rect: QRectF) -> None:
        source = view.centralWidget.sceneBoundingRect()
        view.scene().render(painter, rect, source, Qt.AspectRatioMode.IgnoreAspectRatio)

    return paint


def curve_figure(name: str, history: RunHistory, plot: int, smoothing: int = 1) -> Figure:
    """One of the model's registered training plots, drawn from its run folder's history."""
    size = QSizeF(350, 215)
    widget = _offscreen(LossPlot(get_model(history.model).plots[plot], text_pt=PRINT_PT), size)
    widget.smoothing.setValue(smoothing)
    widget.show_history(history)
    QApplication.processEvents()
    return Figure(name, size, _view_painter(widget.plot), widget=widget)


def grid_figure(name: str, grid: np.ndarray, title: str) -> Figure:
    """A uint8 image grid under a title."""
    image = to_qimage(grid)
    size = titled_image_size(image, scale=1.0, minimum=230)  # about its size on the page
    return Figure(name, size, titled_image_painter(image, title, 8))


def strip_figure(name: str, images: np.ndarray, ts: np.ndarray, title: str) -> Figure:
    """An interpolation strip with its t values."""
    size = QSizeF(84.0 * len(images), TITLE_HEIGHT + 84.0 + LABEL_HEIGHT + 4)
    return Figure(name, size, lambda p, r: paint_strip(p, r, images, ts, title))


def class_histogram_plot(histograms: dict[str, list[float]], text_pt: int = 0) -> pg.PlotWidget:
    """Share of samples the classifier puts in each class, per model (mode collapse shows)."""
    plot = make_plot(
        "Classes of the samples, as the classifier sees them",
        "",
        "share of samples",
        text_pt=text_pt,
    )
    item = plot.getPlotItem()
    legend_below(item, len(histograms), text_pt)
    width = 0.8 / max(len(histograms), 1)
    for k, (model, shares) in enumerate(histograms.items()):
        bars = pg.BarGraphItem(
            x=np.arange(10) + (k - (len(histograms) - 1) / 2) * width,
            height=shares,
            width=width,
            brush=CLASS_COLOURS[k * 3],
            name=model,
        )
        item.addItem(bars)
    item.addLine(y=0.1, pen=pg.mkPen("k", style=Qt.PenStyle.DashLine))  # the data's share
    item.getAxis("bottom").setTicks([[(k, name.split("/")[0]) for k, name in enumerate(CLASSES)]])
    return plot


def class_histogram_figure(name: str, histograms: dict[str, list[float]]) -> Figure:
    """The class histogram as a report figure."""
    size = QSizeF(560, 300)
    plot = _offscreen(class_histogram_plot(histograms, PRINT_PT), size)
    return Figure(name, size, _view_painter(plot), widget=plot)


def report_figures(evaluation: Evaluation) -> dict[str, Figure]:
    """Every figure of the report, by name."""
    figures: dict[str, Figure] = {}
    models = evaluation.models
    if "vae" in models:
        vae = models["vae"]
        history = RunHistory.from_folder(vae.run_dir)
        figures["vae-elbo"] = curve_figure("vae-elbo", history, plot=1)
        figures["vae-reconstructions"] = grid_figure(
            "vae-reconstructions",
            vae.grids["reconstructions"],
            "VAE: test images (odd rows) and reconstructions",
        )
        figures["vae-samples"] = grid_figure(
            "vae-samples", vae.grids["samples"], "VAE: samples from the prior"
        )
        figures["vae-worst"] = grid_figure(
            "vae-worst",
            vae.grids["worst"],
            "VAE: worst-reconstructed test images per class (image, reconstruction)",
        )
        for kind, (strip, title) in vae.strips.items():
            label = "Within a class" if kind == "within" else "Between classes"
            figures[f"strip-{kind}"] = strip_figure(
                f"strip-{kind}", strip.images, strip.ts, f"{label}: {title}"
            )
    if "gan" in models:
        history = RunHistory.from_folder(models["gan"].run_dir)
        figures["gan-losses"] = curve_figure("gan-losses", history, plot=0, smoothing=20)
        figures["gan-samples"] = grid_figure(
            "gan-samples", models["gan"].grids["samples"], "GAN: samples"
        )
    histograms = {k.upper(): evaluation.metrics[k]["samples"]["class_histogram"] for k in models}
    figures["sample-classes"] = class_histogram_figure("sample-classes", histograms)
    return figures
