"""Evaluation of three tiny runs (two VAEs, a GAN), metrics.json, and the one-page report: its
PDF's text is read back and checked against the runs' own configs and histories."""

from __future__ import annotations

import argparse
import copy
import json
import re
import shlex
import threading
from dataclasses import replace

import pytest

from fmgen_gui.report.cli import main as report_cli
from fmgen_gui.report.page import export_report, reproduce_options
from fmgen_gui.report.tables import comparison_table
from tests.conftest import pdf_text
from tests.runs import tiny_run
from tests.toy_model import toy_model  # noqa: F401  (a fixture)
from trainer.cli.evaluate import add_evaluation_arguments, add_report_arguments, options_from_args
from trainer.cli.evaluate import main as evaluate_cli
from trainer.common import keys
from trainer.common.events import StepLogged
from trainer.config.settings import default_config
from trainer.evaluation.comparison import COST_SECTION, LIKELIHOOD_SECTION
from trainer.evaluation.document import write_metrics
from trainer.evaluation.evaluate import evaluate
from trainer.evaluation.results import EvaluationSettings
from trainer.metrics.classifier import cache_path, save_classifier, train_classifier
from trainer.report.options import ReportOptions, command_line
from trainer.runs.metrics_json import CALIBRATION, CALIBRATION_FLOOR, CALIBRATION_NOISE, RUNS
from trainer.runs.pins import Pin, run_key
from trainer.training.loop import train

pytestmark = pytest.mark.timeout(600)
# pr_k = 2 (not the default 3): the page must state the k it used
SMALL = EvaluationSettings(samples=100, iwae_k=3, pr_k=2, steps=5)
WITHIN, BETWEEN = (3, 13), (5, 8)  # tiny test labels are index % 10: Dress, Dress; Sandal, Bag
PEOPLE = {"title": "Three tiny runs", "course": "Generative models 2026", "comment": "Tiny."}
AUTHORS = ("Ada Lovelace", "Alan Turing")


def page_count(path) -> int:
    return len(re.findall(rb"/Type\s*/Page\b", path.read_bytes()))


def real_data_fid(evaluation) -> float:
    """The FID floor: real training images against the test set. The tiny models' samples are
    much farther from it (measured 28 to 250 times the floor; identical images would give 1)."""
    return evaluation.metrics[CALIBRATION][CALIBRATION_FLOOR][keys.FID]


@pytest.fixture(scope="module")
def runs(tiny_data, tiny_data_dir, tmp_path_factory):
    """VAE (beta 1, 1 epoch), VAE (beta 4, stopped mid-epoch at step 11), GAN (1 epoch)."""
    base = tmp_path_factory.mktemp("runs")
    vae = tiny_run("vae", tiny_data_dir, base / "a", "--log-every", "2")
    config = default_config("vae", epochs=2, batch_size=25, latent_dim=4, beta=4.0, log_every=1)
    stop, stopped = threading.Event(), base / "vae-beta4-stopped"
    for event in train(config.replace(device="cpu"), tiny_data, stopped, stop_event=stop):
        if isinstance(event, StepLogged) and event.step == 11:
            stop.set()
    gan = tiny_run("gan", tiny_data_dir, base / "b", "--log-every", "2")
    return [vae, stopped, gan]


@pytest.fixture(scope="module")
def classifier(tiny_data):
    return train_classifier(tiny_data, epochs=2)


@pytest.fixture(scope="module")
def pins(runs):
    key = run_key(runs[0])
    return {key: [Pin(key, "within", "test", *WITHIN), Pin(key, "between", "test", *BETWEEN)]}


@pytest.fixture(scope="module")
def evaluation(runs, tiny_data, classifier, pins):
    return evaluate(runs, tiny_data, *classifier, SMALL, pins=pins)


def cached(classifier, tiny_data) -> None:
    """Put the module's classifier where this test's CLI looks for it (no training)."""
    save_classifier(*classifier, cache_path(tiny_data.fingerprint()))


def test_metrics_json_is_keyed_by_run_with_each_runs_own_training(evaluation, runs, tmp_path):
    written = write_metrics(evaluation, tmp_path)
    assert written == [run / "metrics.json" for run in runs] + [tmp_path / "metrics.json"]
    metrics = json.loads((tmp_path / "metrics.json").read_text())
    sections = metrics[RUNS]
    assert list(sections) == [run_key(run) for run in runs]
    labels = [s["label"] for s in sections.values()]
    assert labels == ["VAE (KL weight beta = 1)", "VAE (KL weight beta = 4)", "GAN"]
    vae, stopped, gan = sections.values()
    assert vae["train_size"] == stopped["train_size"] == gan["train_size"] == 200
    assert (vae["epochs_trained"], vae["steps"], vae["finished"]) == (1, 8, True)
    assert (stopped["epochs_trained"], stopped["steps"]) == (1 + 3 / 8, 11)
    assert not stopped["finished"]
    # against the training loop's: tests/trainer/evaluation/test_elbo_agreement.py
    for section in (vae, stopped):
        assert len(section["test"]["worst"]) == 10
    assert "test" not in gan and gan["samples"][keys.FID] > 10 * real_data_fid(evaluation)
    assert metrics["sample_count"] == 100 and metrics["settings"]["pr_k"] == 2
    own = json.loads((runs[2] / "metrics.json").read_text())
    assert list(own[RUNS]) == [run_key(runs[2])] and CALIBRATION in own


def test_the_page_is_one_page_and_tells_each_runs_own_story(evaluation, runs, tmp_path, qtbot):
    options = ReportOptions(runs=tuple(runs), authors=AUTHORS, appendix=True, **PEOPLE)
    files = export_report(evaluation, options, tmp_path)
    assert page_count(files.pdf) == 2  # the page and its appendix (the notes, the k used)
    assert files.preview.stat().st_size > 10_000
    assert {p.suffix for p in (tmp_path / "figures").iterdir()} == {".png", ".svg"}
    text = pdf_text(files.pdf)
    for label in ("VAE (KL weight beta = 1)", "VAE (KL weight beta = 4)", "GAN"):
        assert label in text
    assert text.count("200 images") == 9  # each run's own training set: description, 2 tables
    assert "1 epoch (8 steps)" in text
    assert "stopped after 1.3 epochs, step 11 (2 planned)" in text
    assert "Dress #3 to Dress #13" in text and "Sandal #5 to Bag #8" in text  # the pins
    # the other VAE's strips: which pair, and why it is one drawn at random
    assert "drawn at random (seed 0), as none was pinned" in text
    for words in (*PEOPLE.values(), "Ada Lovelace and Alan Turing"):
        assert words in text
    assert "k = 2 nearest neighbours" in text and "k = 3 nearest" not in text
    key = run_key(runs[0])
    assert f"--within {key}:3,13" in text and f"--between {key}:5,8" in text
    assert "Adam betas (0.9, 0.999)" in text and "KL weight beta = 4" in text
    assert "beta1" not in text
    # the theory part's page, beside the report: a statement with the VAE's own KL term
    assert page_count(files.theory) == 1
    theory = pdf_text(files.theory)
    overall = evaluation.metrics[RUNS][key]["test"]["overall"]
    assert "2. A VAE is trained on the reconstruction error alone." in theory
    assert (
        f"KL term {overall[keys.KL]:.1f} nats of the -ELBO's {overall[keys.NEG_ELBO]:.1f}" in theory
    )


def test_a_failed_run_is_named_on_the_page(evaluation, runs, tmp_path, qtbot):
    metrics = copy.deepcopy(evaluation.metrics)
    gan = metrics[RUNS][run_key(runs[2])]
    gan["samples"] = copy.deepcopy(metrics[CALIBRATION][CALIBRATION_NOISE])
    failed = replace(evaluation, metrics=metrics)
    files = export_report(failed, ReportOptions(runs=tuple(runs)), tmp_path)
    text = pdf_text(files.pdf)
    assert "GAN has not learned the data yet" in text
    assert "failed: see Result" in text


def test_the_reproduce_line_parses_back_to_the_same_pins(evaluation, runs):
    options = reproduce_options(evaluation, ReportOptions(runs=tuple(runs), authors=AUTHORS))
    line = command_line(options)
    parser = argparse.ArgumentParser()
    add_evaluation_arguments(parser)
    add_report_arguments(parser)
    again = options_from_args(parser.parse_args(shlex.split(line)[1:]))
    assert again == options
    specs = {key: run.spec for key, run in evaluation.runs.items()}
    drawn = {k: [p.pin for p in r.paths if not p.random] for k, r in evaluation.runs.items()}
    assert again.pins(specs) == drawn
    # the count the page's rows really used, not the one asked (a CPU caps a DDPM's rows)
    asked = ReportOptions(runs=tuple(runs), samples=10000)
    assert reproduce_options(evaluation, asked).samples == SMALL.samples
    assert evaluation.metrics["device"] == "cpu"  # where the runs were evaluated


def test_fmgen_report_and_fmgen_evaluate_from_the_terminal(
    runs, tiny_data, tiny_data_dir, classifier, tmp_path, capsys
):
    cached(classifier, tiny_data)
    common = [*(w for run in runs for w in ("--run", str(run))), "--data-dir", str(tiny_data_dir)]
    common += ["--samples", "50", "--iwae-k", "2"]
    key = run_key(runs[0])
    pinned = ["--within", f"{key}:3,13", "--between", "5,8", "--author", "Ada", "--on-page", key]
    assert report_cli([*common, *pinned, "--out", str(tmp_path / "report")]) == 0
    assert page_count(tmp_path / "report" / "report.pdf") == 1
    assert page_count(tmp_path / "report" / "theory.pdf") == 1  # beside it, not in it
    text = pdf_text(tmp_path / "report" / "report.pdf")
    assert "Dress #3 to Dress #13" in text and "by Ada" in text
    assert evaluate_cli([*common, "--out", str(tmp_path / "numbers")]) == 0
    out = capsys.readouterr().out
    assert "By FID (lower is better) " in out and "wrote" in out


@pytest.mark.parametrize(
    ("option", "code", "message"),
    [
        (["--within", "3,4"], 1, "test image 3 is a Dress but 4 is a Coat"),
        (["--between", "3,13"], 1, "are both Dress; a between pair needs two classes"),
        (["--within", "3,1003"], 1, "test image 1003 does not exist"),
        (["--latent-pair", "1,2", "--gan", "X"], 2, "no such checkpoint file"),
        (["--on-page", "nope"], 1, "--on-page nope: no such run"),
    ],
)
def test_bad_options_are_clear_errors(runs, tiny_data_dir, tmp_path, capsys, option, code, message):
    """Exit 2: refused by the command line's checks; 1: once the runs and test set are read."""
    args = ["--run", str(runs[0]), "--data-dir", str(tiny_data_dir), *option]
    try:
        exit_code = report_cli([*args, "--out", str(tmp_path)])
    except SystemExit as exc:
        exit_code = exc.code
    assert exit_code == code
    assert message in capsys.readouterr().err


def test_the_comparison_table_has_a_row_per_run_with_likelihoods_or_reasons(evaluation):
    vae, _, gan = evaluation.metrics[RUNS].values()
    reason = "its decoder is no probability of 8-bit pixels"  # Bernoulli on grey pixels
    assert vae[LIKELIHOOD_SECTION] == {"kind": "none", "reason": reason}
    assert gan[LIKELIHOOD_SECTION] == {"kind": "none", "reason": "a GAN defines no density"}
    for section in (vae, gan):
        cost = section[COST_SECTION]
        assert cost["network_evaluations"] == 1 and cost["device"] == "cpu"
        assert cost["ms_per_sample"] > 0 and cost["batch"] == SMALL.samples
    table = comparison_table(evaluation.metrics)
    assert table.count("<tr>") == 1 + 3 + 2  # the header, a row per run, the calibration rows
    assert f"none ({reason})" in table and "a GAN defines no density" in table
