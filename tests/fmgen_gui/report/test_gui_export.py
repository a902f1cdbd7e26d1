"""Figure export: PNG, SVG and PDF of the same plot must look the same."""

from __future__ import annotations

import re
import subprocess

import numpy as np
import pytest
from PIL import Image, ImageColor

from fmgen_gui.export import PNG_SCALE, render_to_file
from fmgen_gui.training.run_view import RunView
from tests.faults import FullDisk
from trainer.common.errors import DiskError
from trainer.common.events import EpochEnded, SamplesReady, StepLogged
from trainer.runs.history import RunHistory


def synthetic_history() -> RunHistory:
    history = RunHistory("vae")
    for step in range(1, 400):
        loss = 500 * np.exp(-step / 40) + 230
        history.add(StepLogged(1, step, {"loss": loss, "recon": loss - 15, "kl": 15.0}, 1000.0))
    for epoch in range(1, 6):
        train = {"loss": 260 - 5 * epoch, "recon": 245 - 5 * epoch, "kl": 15.0}
        test = {"neg_elbo": 255 - 4 * epoch, "bce": 240.0, "kl": 15.0, "mse": 0.02}
        history.add(EpochEnded(epoch, epoch * 80, train, test, 1.0))
    grid = (np.arange(62 * 62) % 255).astype(np.uint8).reshape(62, 62)
    history.add(SamplesReady(5, 400, "samples", grid))
    return history


@pytest.fixture
def view(qtbot):
    view = RunView("vae")
    qtbot.addWidget(view)
    view.resize(1000, 700)
    view.show()
    view.load(synthetic_history())
    for plot in view.plots:
        plot.redraw()
    qtbot.wait(50)
    return view


def grey(path) -> np.ndarray:
    return np.asarray(Image.open(path).convert("L"), dtype=np.float32) / 255


def test_unknown_suffix_is_refused(tmp_path):
    with pytest.raises(ValueError, match=r"choose a \.png, \.svg or \.pdf"):
        render_to_file(tmp_path / "plot.jpg", None, None)


def curve_tops(path, colour: str) -> dict[int, int]:
    """Per image column, the topmost row drawn in `colour` (a curve's pen; anti-aliased edges,
    which mix it with the white page, are left out)."""
    pixels = np.asarray(Image.open(path).convert("RGB"), dtype=np.int16)
    mask = np.abs(pixels - np.array(ImageColor.getrgb(colour))).max(axis=2) < 40
    return {int(x): int(np.argmax(mask[:, x])) for x in np.flatnonzero(mask.any(axis=0))}


def assert_same_curves(rendered, png, plot) -> None:
    """Every curve of `plot` lies where the PNG export has it, to a pixel or two.

    Measured: span ends within 1 px, row differences with a median of 1 px and at most 3 px
    (5 px where SVG markers overlap a line); a data scale off by 4/3 moves them by tens of px.
    """
    spans = []
    for curve in plot.curves.values():
        colour = curve.opts["pen"].color().name()
        expected, found = curve_tops(png, colour), curve_tops(rendered, colour)
        assert found, f"no pixel of the {colour} curve in the rendering"
        assert abs(min(found) - min(expected)) <= 2 and abs(max(found) - max(expected)) <= 2
        shifts = np.array([abs(found[x] - expected[x]) for x in set(found) & set(expected)])
        assert np.median(shifts) <= 1 and np.percentile(shifts, 95) <= 2, colour
        spans.append(max(expected) - min(expected))
    assert max(spans) > 600  # the curves were drawn across the plot, not only in the legend


@pytest.mark.needs_tool("pdftoppm")
def test_pdf_and_png_exports_agree(view, tmp_path):
    """Data and axes must scale together (a 72 dpi device once drew the data 4/3 too big)."""
    png = view.plots[0].save_figure(tmp_path / "loss.png")
    view.plots[0].save_figure(tmp_path / "loss.pdf")
    dpi = str(96 * PNG_SCALE)
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            dpi,
            "-singlefile",
            str(tmp_path / "loss.pdf"),
            str(tmp_path / "from-pdf"),
        ],
        check=True,
        timeout=60,
    )
    pdf = grey(tmp_path / "from-pdf.png")
    assert abs(pdf.shape[0] - grey(png).shape[0]) <= 2
    assert abs(pdf.shape[1] - grey(png).shape[1]) <= 2
    assert_same_curves(tmp_path / "from-pdf.png", png, view.plots[0])


@pytest.mark.needs_tool("rsvg-convert")
def test_svg_and_png_exports_agree(view, tmp_path):
    png = view.plots[1].save_figure(tmp_path / "elbo.png")
    view.plots[1].save_figure(tmp_path / "elbo.svg")
    subprocess.run(
        [
            "rsvg-convert",
            "-z",
            str(PNG_SCALE),
            str(tmp_path / "elbo.svg"),
            "-o",
            str(tmp_path / "from-svg.png"),
        ],
        check=True,
        timeout=60,
    )
    assert_same_curves(tmp_path / "from-svg.png", png, view.plots[1])


def test_grid_export_keeps_square_sharp_pixels(view, tmp_path):
    path = view.grids["samples"].save_figure(tmp_path / "grid.png")
    image = grey(path)
    assert image.shape[1] >= 62 * 2 * PNG_SCALE  # the grid is drawn at least 2x
    values = np.unique(
        np.round(image[-40:, image.shape[1] // 2 - 20 : image.shape[1] // 2 + 20] * 255)
    )
    assert len(values) < 80, "nearest-neighbour scaling keeps the grid's own grey levels"


@pytest.mark.parametrize("suffix", [".png", ".svg", ".pdf"])
def test_a_full_disk_keeps_the_previous_figure(view, tmp_path, monkeypatch, suffix):
    path = tmp_path / f"loss{suffix}"
    path.write_bytes(b"the previous figure")
    FullDisk(monkeypatch, "loss")
    with pytest.raises(DiskError, match=f"Disk full: {re.escape(str(path))} could not be written"):
        view.plots[0].save_figure(path)
    assert path.read_bytes() == b"the previous figure"
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # no temp file left
