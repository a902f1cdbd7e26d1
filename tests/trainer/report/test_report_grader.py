"""The page judged as a grader would, from the PDF alone: one page (two with the appendix),
pictures printed large enough to see (from their placement: pdfimages' pixels and ppi), no
JPEG, the title and authors in the metadata, and every number of the text in metrics.json."""

from __future__ import annotations

import copy
import json
import re
import subprocess

import pytest
from PySide6.QtCore import QRectF
from PySide6.QtGui import QImage, QPainter, QPdfWriter

from fmgen_gui.report.figures import curve_figure
from fmgen_gui.report.page import export_report
from tests.conftest import require_tool
from tests.runs import tiny_run
from trainer.common import keys
from trainer.evaluation.evaluate import evaluate
from trainer.evaluation.results import EvaluationSettings
from trainer.metrics.classifier import train_classifier
from trainer.report.interpret import headline
from trainer.report.options import ReportOptions
from trainer.runs.metrics_json import RUNS, SAMPLES_SECTION
from trainer.runs.pins import Pin, run_key

pytestmark = pytest.mark.timeout(600)
SETTINGS = EvaluationSettings(samples=100, iwae_k=3, steps=9)
WITHIN, BETWEEN = (3, 13), (5, 8)  # tiny test labels are index % 10: Dress, Dress; Sandal, Bag
AUTHORS = ("Ada Lovelace", "Alan Turing")
TITLE = "A VAE and a GAN"
FRAME_PX = 28  # a strip frame's pixels; larger images are grids
FRAME_MIN_MM, GRID_MIN_MM = 12.0, 50.0  # what the issue asks of the printed page
DECIMAL = re.compile(r"(?<![\w.=-])-?\d+\.\d+(?![\w.])")  # 247.0, 0.0429; not t=0.50, 0.1.0


def run_tool(name: str, *args: str) -> str:
    """What the poppler tool `name` prints (skipped locally where it is missing; CI fails)."""
    return subprocess.run(
        [require_tool(name), *args], capture_output=True, text=True, check=True
    ).stdout


def images(pdf) -> list[dict]:
    """pdfimages -list as rows: width and height in pixels, encoding, printed width in mm."""
    rows = []
    for line in run_tool("pdfimages", "-list", str(pdf)).splitlines()[2:]:
        cells = line.split()
        width, height, ppi = int(cells[3]), int(cells[4]), float(cells[12])
        rows.append(
            {
                "page": int(cells[0]),
                "px": (width, height),
                "enc": cells[8],
                "mm": width / ppi * 25.4,
            }
        )
    return rows


def info(pdf) -> dict[str, str]:
    lines = run_tool("pdfinfo", str(pdf)).splitlines()
    return {k.strip(): v.strip() for k, _, v in (line.partition(":") for line in lines)}


def numbers_of(value, found: set[str]) -> set[str]:
    """Every number of metrics.json as the page may print it."""
    if isinstance(value, dict):
        for item in value.values():
            numbers_of(item, found)
    elif isinstance(value, list):
        for item in value:
            numbers_of(item, found)
    elif isinstance(value, int | float) and not isinstance(value, bool):
        found.update(f"{value:.{d}f}" for d in range(1, 5))
        found.update({f"{value:g}", f"{value / 1e6:.2f}"})  # settings; parameters in millions
    return found


@pytest.fixture(scope="module")
def evaluation(tiny_data, tiny_data_dir, tmp_path_factory):
    base = tmp_path_factory.mktemp("graded")
    runs = [tiny_run(model, tiny_data_dir, base / model) for model in ("vae", "gan")]
    key = run_key(runs[0])
    between = Pin(key, "between", "test", *BETWEEN, "lerp")  # not the settings' slerp
    pins = {key: [Pin(key, "within", "test", *WITHIN), between]}
    classifier = train_classifier(tiny_data, epochs=1)
    return evaluate(runs, tiny_data, *classifier, SETTINGS, pins=pins)


@pytest.fixture(scope="module")
def report(evaluation, tmp_path_factory):
    runs = tuple(run.facts.run_dir for run in evaluation.runs.values())
    options = ReportOptions(runs=runs, title=TITLE, authors=AUTHORS, comment="Our remark.")
    return export_report(evaluation, options, tmp_path_factory.mktemp("report"))


def test_one_page_with_its_title_and_authors_in_the_metadata(report, qtbot):
    found = info(report.pdf)
    assert found["Pages"] == "1"
    assert found["Title"] == TITLE and found["Creator"] == "fmgen"
    if hasattr(QPdfWriter, "setAuthor"):  # Qt 6.9 and later; older ones cannot write it
        assert found["Author"] == "Ada Lovelace and Alan Turing"


def test_pictures_are_lossless_and_printed_large_enough(report, qtbot):
    placed = images(report.pdf)
    assert placed and not [row for row in placed if row["enc"] in ("jpeg", "jpx", "dct")]
    frames = [row["mm"] for row in placed if row["px"] == (FRAME_PX, FRAME_PX)]
    grids = [row["mm"] for row in placed if row["px"][0] > 5 * FRAME_PX]
    # VAE: two strips of 9 frames between A and B; GAN: one strip of 9 latent frames
    assert len(frames) == 2 * 11 + 9
    assert min(frames) >= FRAME_MIN_MM, frames
    assert len(grids) == 3 and min(grids) >= GRID_MIN_MM, grids  # 2 samples, 1 reconstruction


def test_every_number_of_the_text_is_in_metrics_json(report, qtbot):
    text = " ".join(run_tool("pdftotext", str(report.pdf), "-").split())
    metrics = json.loads((report.pdf.parent / "metrics.json").read_text())
    known = numbers_of(metrics, set())
    printed = DECIMAL.findall(text)
    assert len(printed) > 15  # the descriptions, the table, the captions, the result
    assert [n for n in printed if n not in known] == []
    vae = next(iter(metrics[RUNS].values()))["test"]["overall"]
    assert f"error {vae[keys.RECON]:.1f} nats an image, MSE {vae[keys.MSE]:.4f}" in text
    assert "Reproduce:" in text and "Our remark." in text
    assert text.count("Our remark.") == 1  # the comment is not repeated in the Reproduce line


def test_each_runs_description_prints_numbers_of_that_run(report, qtbot):
    """Stricter than the whole document: a number in the VAE's paragraph must be the VAE's (or
    a calibration row's, which every run is compared with), never the GAN's alone."""
    text = " ".join(run_tool("pdftotext", str(report.pdf), "-").split())
    metrics = json.loads((report.pdf.parent / "metrics.json").read_text())
    shared = numbers_of({k: v for k, v in metrics.items() if k != RUNS}, set())
    sections = list(metrics[RUNS].values())
    vae_start, gan_start = text.index("VAE. What we did"), text.index("GAN. What we did")
    paragraphs = {0: text[vae_start:gan_start], 1: text[gan_start : text.index("VAE: samples")]}
    for index, paragraph in paragraphs.items():
        own = numbers_of(sections[index], set()) | shared
        printed = DECIMAL.findall(paragraph)
        assert printed, paragraph
        assert [n for n in printed if n not in own] == [], paragraph


def test_the_appendix_is_a_second_page_only_when_asked(evaluation, report, tmp_path, qtbot):
    runs = tuple(run.facts.run_dir for run in evaluation.runs.values())
    files = export_report(evaluation, ReportOptions(runs=runs, appendix=True), tmp_path)
    assert info(files.pdf)["Pages"] == "2"
    first = run_tool("pdftotext", "-l", "1", str(files.pdf), "-")
    second = run_tool("pdftotext", "-f", "2", str(files.pdf), "-")
    assert "Appendix" not in first and "Appendix: every number" in second
    for column in ("network evaluations", "KID", "uniform noise (ceiling)"):
        assert column in " ".join(second.split()) and column not in " ".join(first.split())
    assert "--appendix" in " ".join(second.split()) + " ".join(first.split())


def test_fids_within_the_noise_are_called_a_tie(evaluation):
    metrics = copy.deepcopy(evaluation.metrics)
    vae, gan = metrics[RUNS].values()
    vae[SAMPLES_SECTION][keys.FID], gan[SAMPLES_SECTION][keys.FID] = 249.6, 247.0
    ranking = headline(metrics)[0]
    # One tie is not a ranking: the trial read "the runs rank VAE and GAN, a tie" as odd.
    assert ranking.startswith(
        "By FID (lower is better) GAN and VAE tie (247.0 and 249.6: within 5% of each other, "
        "too close to rank); on this scale"
    )
    vae[SAMPLES_SECTION][keys.FID] = 300.0
    apart = headline(metrics)[0]
    assert "rank GAN (247.0), then VAE (300.0)" in apart and "tie" not in apart
    metrics[RUNS]["third"] = third = copy.deepcopy(vae)
    third["label"], third[SAMPLES_SECTION][keys.FID] = "cVAE", 301.5
    assert headline(metrics)[0].startswith(
        "By FID (lower is better) the runs rank GAN (247.0), then VAE and cVAE, tied (300.0 and "
        "301.5); FIDs within 5% of each other are tied (too close to rank); on this scale"
    )


def test_the_curves_printed_small_keep_several_y_labels(evaluation, qtbot):
    vae = next(iter(evaluation.runs.values()))
    figure = curve_figure("vae-curves", vae)
    image = QImage(357, 120, QImage.Format.Format_ARGB32)  # a cell of the appendix's row
    painter = QPainter(image)
    figure.draw(painter, QRectF(0, 0, 357, 120))
    _, _, labels = figure.widget.plot.getPlotItem().getAxis("left").generateDrawSpecs(painter)
    painter.end()
    assert len(labels) >= 2, [text for _, _, text in labels]


def test_a_random_pair_says_where_it_came_from_without_contradiction(report, qtbot):
    text = " ".join(run_tool("pdftotext", str(report.pdf), "-").split())
    # One pair, two seeds: "..., a pair drawn at random (seed 0)" named a third (trial defect 12).
    caption = "GAN: between latent draws, seeds 1 and 2 (slerp), drawn at random as none was pinned"
    assert caption in text
    assert "seed 0" not in text.partition("GAN: between latent draws")[2][:120]
    assert "nothing pinned" not in text
    assert "random with --seed" not in text  # no command-line flag in a caption: the app makes it


def test_metrics_json_records_each_strip_as_drawn(report, tmp_path):
    """The trial: "interpolation": "slerp" in metrics.json while both pins were lerp."""
    written = json.loads((report.pdf.parent / "metrics.json").read_text())
    vae, gan = written[RUNS].values()
    drawn = [
        (p["role"], p["source"], p["a"], p["b"], p["method"], p["random"]) for p in vae["paths"]
    ]
    assert drawn == [
        ("within", "test", *WITHIN, "slerp", False),
        ("between", "test", *BETWEEN, "lerp", False),
    ]
    assert (
        vae["paths"][1]["caption"].startswith("between classes, ")
        and "(lerp)" in vae["paths"][1]["caption"]
    )
    assert [(p["source"], p["a"], p["b"], p["random"]) for p in gan["paths"]] == [
        ("latent", 1, 2, True)
    ]
    assert written["settings"]["interpolation"] == "slerp"
    assert "drawn at random" in written["notes"]["settings.interpolation"]
