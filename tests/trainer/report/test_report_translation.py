"""A CycleGAN run on the report and the theory page: two tiny runs (a class pair and the
shifted pair) trained and evaluated by the real command-line tools."""

from __future__ import annotations

import json
import re

import pytest

from fmgen_gui.report.cli import main as report_main
from tests.conftest import pdf_text
from tests.runs import tiny_run
from trainer.common import keys as k
from trainer.report.descriptions import translation_sentence
from trainer.report.theory import STATEMENTS, theory_lines
from trainer.report.translation import recovered_words

pytestmark = pytest.mark.timeout(300)
ADAPTATION = next(i for i, s in enumerate(STATEMENTS, 1) if "Domain adaptation" in s.text)


@pytest.fixture(scope="module")
def evaluated(tiny_data_dir, tmp_path_factory, qapp):
    """metrics.json and the report (by fmgen-report) of a sneaker <-> ankle boot run and an
    originals <-> inverted run."""
    out = tmp_path_factory.mktemp("translators")
    runs = [
        # named: two runs made in one second would get one folder name, one key
        tiny_run("cyclegan", tiny_data_dir, out / "classes", "--run-name", "classes"),
        tiny_run(
            "cyclegan", tiny_data_dir, out / "shift", "--domains", "inverted", "--run-name", "shift"
        ),
    ]
    report = out / "evaluation"
    argv = ["--data-dir", str(tiny_data_dir), "--out", str(report), "--samples", "100"]
    argv.append("--appendix")  # its class histogram leaves out what draws no samples
    assert report_main([*(f"--run={run}" for run in runs), *argv]) == 0
    return json.loads((report / "metrics.json").read_text()), report


def test_the_theory_page_states_the_accuracy_before_and_after_f(evaluated):
    metrics, _ = evaluated
    line = theory_lines(metrics)[ADAPTATION - 1]
    assert line.missing == ""
    shift = next(
        run["translation"]
        for run in metrics["runs"].values()
        if k.ACCURACY_TRANSLATED in run["translation"]
    )
    adaptation, style = sorted(line.evidence, key=lambda sentence: "Inverted" not in sentence)
    assert f"reads {shift[k.ACCURACY_ORIGINAL]:.1%} of the original test images" in adaptation
    assert f"{shift[k.ACCURACY_SHIFTED]:.1%} of their inverted copies" in adaptation
    assert f"and {shift[k.ACCURACY_TRANSLATED]:.1%} of those copies translated back" in adaptation
    assert (
        "(Sneaker <-> Ankle boot)" in style
        and "train it with the domains 'inverted' or 'scan'" in style
    )


def test_without_a_cyclegan_run_the_page_says_what_to_train():
    line = theory_lines({"runs": {}})[ADAPTATION - 1]
    assert line.evidence == () and line.missing.endswith("train and evaluate a CycleGAN.")


def test_the_report_shows_the_domain_adaptation_figure_from_metrics_json(evaluated):
    metrics, report = evaluated
    (shift_key,) = [key for key, run in metrics["runs"].items() if "inverted" in run["label"]]
    (class_key,) = [key for key in metrics["runs"] if key != shift_key]
    shift = metrics["runs"][shift_key]["translation"]
    figures = report / "figures"
    for name in (f"{shift_key}-adaptation", f"{shift_key}-translation", f"{class_key}-translation"):
        assert (figures / f"{name}.png").stat().st_size > 1000
    assert not (figures / f"{class_key}-adaptation.png").exists()  # a class pair adapts nothing
    assert not list(figures.glob("*-samples.png"))  # a translator draws no samples
    # The SVG's text, its wrapped lines joined by spaces.
    svg = (figures / f"{shift_key}-adaptation.svg").read_text()
    svg = " ".join(text.strip() for text in re.findall(r">([^<>]+)<", svg) if text.strip())
    for key in (k.ACCURACY_ORIGINAL, k.ACCURACY_SHIFTED, k.ACCURACY_TRANSLATED):
        assert f"{shift[key]:.1%}" in svg
    assert recovered_words(shift) in svg
    text = pdf_text(report / "report.pdf").replace("\ufb01", "fi")  # pdftotext's fi ligature
    labelled = metrics["runs"][class_key]["translation"][k.LABELLED_B]
    assert f"{labelled:.0%} of G(x) labelled Ankle boot" in text
    assert "none (a translator defines no density)" in text  # the appendix's likelihood cell


@pytest.mark.parametrize(
    ("shifted", "translated", "words"),
    [
        (0.2, 0.6, "F wins back 55% of the accuracy the shift took away"),
        (
            0.2,
            0.05,
            "F wins none of it back (its translations are read right 15.0 percentage points "
            "less often still)",
        ),
        (0.93, 0.5, "the shift cost no accuracy, so F has none to win back"),
    ],
)
def test_what_f_wins_back_is_said_for_a_gain_a_loss_and_no_shift(shifted, translated, words):
    lost = 0.93 - shifted
    recovered = (translated - shifted) / lost if lost > 0 else None
    numbers = {
        k.ACCURACY_SHIFTED: shifted,
        k.ACCURACY_TRANSLATED: translated,
        k.RECOVERED: recovered,
    }
    assert recovered_words(numbers) == words


def test_the_result_sentence_says_a_loss_in_words_not_as_a_negative_share():
    # The 18-minute inverted run: 19.1% -> 3.0%; the page read "F recovers -22% of the accuracy".
    numbers = {
        k.ACCURACY_ORIGINAL: 0.933,
        k.ACCURACY_SHIFTED: 0.191,
        k.ACCURACY_TRANSLATED: 0.030,
        k.RECOVERED: (0.030 - 0.191) / (0.933 - 0.191),
        k.CYCLE_A: 0.085,
        k.CYCLE_B: 0.085,
    }
    sentence = translation_sentence({"label": "CycleGAN", "translation": numbers})
    assert "F wins none of it back" in sentence and "16.1 percentage points" in sentence
    assert "-" not in sentence
