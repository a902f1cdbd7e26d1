"""The report's text sections, now filled in from resources/report/*.html, keep their markup.

The expected strings are what page.py wrote in f-strings before the markup moved to templates.
"""

from __future__ import annotations

import argparse
import re
from types import SimpleNamespace

from fmgen_gui.report.layout import text_section
from fmgen_gui.report.page import header_html
from trainer.cli.evaluate import add_evaluation_arguments, add_report_arguments, options_from_args
from trainer.registry import get_model, model_names
from trainer.report.descriptions import first_sentence
from trainer.report.options import ReportOptions, command_line

METRICS = {"created": "2026-11-25T10:00:00", "fmgen_version": "0.1.0"}
GREY = "color:#555"


def test_the_header_escapes_and_keeps_its_markup():
    evaluation = SimpleNamespace(metrics=METRICS, runs={})
    options = ReportOptions(
        runs=(), title="A <b> & 'C'", authors=("Ada", "Alan"), course="GM", comment="Tiny <i>"
    )
    assert header_html(evaluation, options) == (
        "<p style='font-size:14pt'><b>A &lt;b&gt; &amp; &#x27;C&#x27;</b></p>"
        f"<p style='{GREY}'>by Ada and Alan &middot; GM &middot; 2026-11-25, fmgen 0.1.0;"
        " every number is in metrics.json.</p><p><i>Tiny &lt;i&gt;</i></p>"
    )
    bare = header_html(evaluation, ReportOptions(runs=(), title="T"))
    assert bare.endswith(
        f"<p style='{GREY}'>2026-11-25, fmgen 0.1.0; every number is in metrics.json.</p>"
    )


def test_the_other_sections_keep_their_markup_size_and_place():
    words = "x < y & $z"  # escaped, and a dollar sign is text, not a placeholder
    escaped = "x &lt; y &amp; $z"
    setup = text_section("setup", setup=words)
    assert setup.html == f"<p><b>What was done and how.</b> {escaped}</p>"
    assert (setup.relative_size, setup.at_bottom) == (1.0, False)
    notes = text_section("notes", 0.85, notes=words)
    assert (notes.html, notes.relative_size) == (f"<p style='{GREY}'>{escaped}</p>", 0.85)
    assert text_section("result", result=words).html == f"<p><b>Result.</b> {escaped}</p>"
    footer = text_section("footer", 0.8, True, command=words)
    assert footer.html == f"<p style='{GREY}'>Reproduce: {escaped}</p>"
    assert (footer.relative_size, footer.at_bottom) == (0.8, True)


def test_a_description_starts_with_the_models_whole_first_sentence():
    gan = get_model("gan").description  # 'A DCGAN (Radford et al. 2016): a generator ...'
    assert first_sentence(gan).startswith("A DCGAN (Radford et al. 2016): a generator")
    assert first_sentence(gan).endswith("generator loss).")
    assert first_sentence("One. Two.") == "One."


def test_each_objective_names_what_the_description_says_is_optimised():
    # The trial's page read "it optimises the adversarial (non-saturating) with Adam ...": an
    # adjective where the sentence needs the quantity. The phrase before any detail ("(", ","
    # or "of") must end in the name of the quantity.
    quantities = {"ELBO", "loss", "distance", "likelihood", "bound"}
    for model in model_names():
        head = re.split(r" \(|,| of ", get_model(model).objective)[0]
        assert head.split()[-1] in quantities, f"{model}: it optimises the {head} with ..."


def test_the_appendix_flag_parses_and_the_reproduce_line_keeps_it_but_not_the_comment(tmp_path):
    parser = argparse.ArgumentParser()
    add_evaluation_arguments(parser)
    add_report_arguments(parser)
    run = tmp_path / "checkpoint.pt"  # --run is checked as it is parsed: it must exist
    run.write_bytes(b"")
    args = ["--run", str(run), "--appendix", "--comment", "Our own words.", "--title", "T"]
    options = options_from_args(parser.parse_args(args))
    plain = options_from_args(parser.parse_args(["--run", str(run)]))
    assert options.appendix and not plain.appendix
    line = command_line(options)
    assert "--appendix" in line and "--title T" in line
    assert "Our own words" not in line  # printed once, on the page, not in the command
