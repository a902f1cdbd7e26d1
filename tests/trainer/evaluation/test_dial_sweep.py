"""The dial sweep: a model whose entry declares sampler dials gets, per sweep value, the sample
metrics of the same latents and classes; metrics.json and its readers carry them."""

from __future__ import annotations

import argparse
import json
import shlex
from dataclasses import replace
from pathlib import Path

import pytest

from fmgen_gui.report.dial_table import dial_tables
from fmgen_gui.report.evaluated import (
    Evaluated,
    load_last,
    run_states,
    save_last,
    skipped_stages,
)
from fmgen_gui.report.layout import fit_page
from fmgen_gui.report.page import build_page, export_report
from tests.conftest import pdf_text
from tests.runs import tiny_run
from tests.toy_model import BRIGHTNESS, dial_toy_model, toy_model  # noqa: F401  (fixtures)
from tests.trainer.report.test_report import page_count
from trainer.cli.evaluate import add_evaluation_arguments, add_report_arguments, options_from_args
from trainer.common import keys
from trainer.evaluation.dial_sweep import (
    AS_ASKED,
    DIAL_SWEEPS,
    VALUE,
    read_dial_sweeps,
    sweep_lines,
    value_words,
)
from trainer.evaluation.document import write_metrics
from trainer.evaluation.evaluate import DIALS, evaluate
from trainer.evaluation.results import EvaluationSettings
from trainer.metrics.classifier import train_classifier
from trainer.report.options import ReportOptions, command_line
from trainer.runs.metrics_json import RUNS, SAMPLES_SECTION

SMALL = EvaluationSettings(samples=100, iwae_k=3, pr_k=2, steps=5)


@pytest.fixture
def dial_evaluation(dial_toy_model, toy_model, tiny_data, tiny_data_dir, tmp_path):  # noqa: F811
    """A tiny run of the toy with a brightness dial and one of the toy without, evaluated."""
    runs = [tiny_run(name, tiny_data_dir, tmp_path / name) for name in ("dtoy", "toy")]
    classifier = train_classifier(tiny_data, epochs=1)
    return evaluate(runs, tiny_data, *classifier, SMALL), tmp_path


def test_the_sweep_has_a_point_per_value_measured_on_the_same_samples(dial_evaluation):
    evaluation, out = dial_evaluation
    dial_run, plain_run = evaluation.runs.values()
    sweep = dial_run.metrics[DIAL_SWEEPS][BRIGHTNESS.name]
    points = sweep["points"]
    assert [p[VALUE] for p in points] == list(BRIGHTNESS.sweep)
    for point in points:
        assert set(point) == {VALUE, keys.FID, keys.PRECISION, keys.RECALL, AS_ASKED}
    fids = [p[keys.FID] for p in points]
    assert len(set(fids[:3])) == 3  # 0.25, 0.5 and 1 scale the samples: three FIDs
    # the point at the dial's default (1) is the table's own samples, not drawn again...
    assert points[2][keys.FID] == dial_run.metrics[SAMPLES_SECTION][keys.FID]
    # ... and 'plain' (None), drawn anew, leaves the samples as at 1: the sweep draws the
    # same latents and classes at every value, so the two points agree exactly
    assert points[3] == {**points[2], VALUE: None}
    assert DIAL_SWEEPS not in plain_run.metrics  # no dial, no sweep
    assert sweep["label"] == BRIGHTNESS.label and sweep["off"] == BRIGHTNESS.off
    # what fmgen-evaluate prints: a line for the run with a dial
    (line,) = sweep_lines(evaluation.metrics)
    assert line.startswith("DToy, Brightness b: 0.25: FID ") and "; plain: FID " in line
    assert line.count("as asked") == len(BRIGHTNESS.sweep)
    # the Evaluate tab's table (and the appendix's): a row per value, for the run with a dial
    table = dial_tables(evaluation.metrics)
    assert table.count("<tr>") == 1 + len(BRIGHTNESS.sweep) and "<td>plain</td>" in table
    assert table.count("<table") == 1 and "Brightness b" in table
    # the Evaluate tab's bar of the sweep says when no run had a dial to sweep
    assert DIALS not in skipped_stages(evaluation)
    only_plain = replace(evaluation, runs={plain_run.facts.key: plain_run})
    assert skipped_stages(only_plain)[DIALS] == "no run has a sampler dial swept"
    write_metrics(evaluation, out)
    document = json.loads((out / "metrics.json").read_text())
    (read,) = read_dial_sweeps(document[RUNS][dial_run.facts.key])
    assert [p[VALUE] for p in read.points] == list(BRIGHTNESS.sweep)
    assert read.metrics == (keys.FID, keys.PRECISION, keys.RECALL, AS_ASKED)
    # the app keeps the evaluation for the next start: the sweep comes back with it
    runs = {key: Path(run.facts.run_dir) / "checkpoint.pt" for key, run in evaluation.runs.items()}
    options = ReportOptions(runs=tuple(Path(r.facts.run_dir) for r in evaluation.runs.values()))
    kept = Evaluated(evaluation, options, run_states(runs, lambda key: []))
    save_last(kept, out / "cache")
    back = load_last(lambda key: [], out / "cache")
    (kept_sweep,) = read_dial_sweeps(back.evaluation.runs[dial_run.facts.key].metrics)
    assert kept_sweep == read


@pytest.mark.usefixtures("dial_toy_model")
def test_skipping_the_sweep_leaves_it_out(tiny_data, tiny_data_dir, tmp_path):
    run = tiny_run("dtoy", tiny_data_dir, tmp_path / "run")
    parser = argparse.ArgumentParser()
    add_evaluation_arguments(parser)
    add_report_arguments(parser)
    argv = ["--run", str(run), "--samples", "50", "--iwae-k", "3", "--steps", "5"]
    assert options_from_args(parser.parse_args(argv)).dial_sweep  # on unless asked not to
    options = options_from_args(parser.parse_args([*argv, "--no-dial-sweep"]))
    line = command_line(options)
    assert "--no-dial-sweep" in line  # the reproduce line keeps it
    assert options_from_args(parser.parse_args(shlex.split(line)[1:])) == options
    classifier = train_classifier(tiny_data, epochs=1)
    (evaluated,) = evaluate([run], tiny_data, *classifier, options.settings()).runs.values()
    assert DIAL_SWEEPS not in evaluated.metrics


def test_a_damaged_sweep_section_reads_as_what_is_well_formed():
    good = {VALUE: 0.5, keys.FID: 3.0, keys.PRECISION: 0.5, keys.RECALL: 0.25}
    section = {
        DIAL_SWEEPS: {
            "w": {"label": "w", "off": "", "points": [good, {**good, keys.FID: "x"}, 7]},
            "broken": {"label": 3, "points": [good]},
            "empty": {"label": "e", "points": [{**good, VALUE: float("nan")}]},
            "psi": "not a sweep",
        }
    }
    (read,) = read_dial_sweeps(section)
    assert (read.name, read.points) == ("w", (good,))
    assert read.metrics == (keys.FID, keys.PRECISION, keys.RECALL)
    assert read_dial_sweeps({DIAL_SWEEPS: [1, 2]}) == read_dial_sweeps(None) == []


def test_value_words():
    assert [value_words(v, "none") for v in (2.0, 0.25, None)] == ["2", "0.25", "none"]
    assert value_words(None, "") == "off"


def test_the_report_shows_the_sweep_of_a_run_on_the_page_with_a_dial(dial_evaluation, qtbot):
    evaluation, out = dial_evaluation
    dial_key, plain_key = evaluation.runs
    runs = tuple(Path(r.facts.run_dir) for r in evaluation.runs.values())
    name = f"{dial_key}-dial-{BRIGHTNESS.name}"
    files = export_report(evaluation, ReportOptions(runs=runs, appendix=True), out / "both")
    assert page_count(files.pdf) == 2  # the page, and the appendix with the sweep's table
    placed = {
        p.section.name for p in fit_page(build_page(evaluation, ReportOptions(runs)).sections)
    }
    assert name in placed and not any(n.startswith(f"{plain_key}-dial") for n in placed)
    assert {f.name for f in files.figures} >= {f"{name}.png", f"{name}.svg"}
    text = " ".join(pdf_text(files.pdf).split())
    assert "Brightness b swept over 0.25, 0.5, 1 and plain" in text
    assert "As asked: the share of samples the" in text  # ('classifier' is set with a ligature)
    assert "DToy: Brightness b swept, the same samples at every value" in text  # the appendix
    # the run without a dial alone on the page: no dial figure there (its file is still made)
    alone = ReportOptions(runs=runs, on_page=(Path(runs[1]).name,))
    page = build_page(evaluation, alone)
    assert not any("dial" in section.name for section in page.sections)
    assert name in page.figures
