"""Evaluation of two tiny runs, metrics.json, and the one-page report (PDF, figures, CLIs)."""

from __future__ import annotations

import json
import math
import re
import shutil
import subprocess

import pytest

from fmgen_gui.report.cli import main as report_cli
from fmgen_gui.report.page import export_report
from tests.runs import tiny_run
from trainer.classifier import load_or_train_classifier
from trainer.evaluate import EvaluationSettings, evaluate, write_metrics
from trainer.evaluate_cli import main as evaluate_cli
from trainer.interpret import describe_setup, interpret

pytestmark = pytest.mark.timeout(300)
SMALL = EvaluationSettings(samples=200, iwae_k=4, strip_steps=5)
FIGURES = {
    "vae-elbo",
    "vae-reconstructions",
    "vae-samples",
    "vae-worst",
    "strip-within",
    "strip-between",
    "gan-losses",
    "gan-samples",
    "sample-classes",
}


@pytest.fixture(scope="module")
def runs(tiny_data_dir, tmp_path_factory):
    folders = {}
    for model in ("vae", "gan"):
        out = tmp_path_factory.mktemp(model)
        folders[model] = tiny_run(model, tiny_data_dir, out, "--log-every", "2", epochs=2)
    return folders


@pytest.fixture(scope="module")
def evaluation(runs, tiny_data):
    classifier, info = load_or_train_classifier(tiny_data)
    return evaluate(runs, tiny_data, classifier, info, SMALL)


def test_metrics_json_has_every_field(evaluation, runs, tmp_path):
    written = write_metrics(evaluation, tmp_path)
    assert written == [
        runs["vae"] / "metrics.json",
        runs["gan"] / "metrics.json",
        tmp_path / "metrics.json",
    ]
    metrics = json.loads((tmp_path / "metrics.json").read_text())
    for key in (
        "fmgen_version",
        "created",
        "device",
        "versions",
        "data",
        "classifier",
        "settings",
        "calibration",
        "vae",
        "gan",
    ):
        assert key in metrics, key
    assert {"torch", "torchvision", "numpy", "torchmetrics", "python"} <= metrics["versions"].keys()
    assert 0 <= metrics["classifier"]["accuracy"] <= 1
    assert metrics["settings"]["iwae_k"] == 4 and metrics["settings"]["samples"] == 200
    overall = metrics["vae"]["test"]["overall"]
    assert {"bce", "mse", "kl", "neg_elbo", "iwae_nll", "iwae_k", "bits_per_dim"} <= overall.keys()
    assert overall["iwae_nll"] <= overall["neg_elbo"]
    assert len(metrics["vae"]["test"]["per_class"]) == 10
    assert len(metrics["vae"]["test"]["worst"]["Bag"]) == 4
    sample_keys = {
        "fid",
        "kid",
        "kid_std",
        "precision",
        "recall",
        "density",
        "coverage",
        "class_histogram",
        "mean_confidence",
    }
    for row in (
        metrics["vae"]["samples"],
        metrics["gan"]["samples"],
        *metrics["calibration"].values(),
    ):
        assert sample_keys <= row.keys() and len(row["class_histogram"]) == 10
    for kind in ("vae", "gan"):
        assert metrics[kind]["epochs_trained"] == 2 and metrics[kind]["seed"] == 0
        assert metrics[kind]["config"]["model"] == kind and metrics[kind]["parameters"] > 0
    own = json.loads((runs["gan"] / "metrics.json").read_text())
    assert "gan" in own and "vae" not in own and "calibration" in own


def test_interpretation_is_built_from_the_numbers(evaluation):
    metrics = evaluation.metrics
    text = " ".join(interpret(metrics))
    assert f"{metrics['vae']['test']['overall']['mse']:.4f}" in text
    assert f"{metrics['gan']['samples']['fid']:.1f}" in text
    assert f"{metrics['calibration']['real_train_vs_test']['fid']:.1f}" in text
    setup = describe_setup(metrics)
    assert "trained for 2 epochs" in setup and "k = 4 importance samples" in setup


def test_the_report_is_one_pdf_page_with_its_sections_and_figures(evaluation, qtbot, tmp_path):
    files = export_report(evaluation, tmp_path)
    pdf = files.pdf.read_bytes()
    assert pdf.startswith(b"%PDF")
    assert len(re.findall(rb"/Type\s*/Page\b", pdf)) == 1
    names = {p.stem for p in (tmp_path / "figures").iterdir()}
    assert names == FIGURES
    assert {p.suffix for p in (tmp_path / "figures").iterdir()} == {".png", ".svg"}
    assert files.preview.stat().st_size > 10_000
    if shutil.which("pdftotext"):
        text = subprocess.run(
            ["pdftotext", str(files.pdf), "-"], capture_output=True, text=True, check=True
        ).stdout
        for section in (
            "A VAE and a GAN on Fashion-MNIST",
            "What was done and how",
            "Result.",
            "VAE on the test set",
            "Samples against",
            "uniform noise (ceiling)",
            "Within a class",
            "Between classes",
            "Reproduce: fmgen-report",
        ):
            assert section in text, section


def test_fmgen_report_and_fmgen_evaluate_from_the_terminal(runs, tiny_data_dir, tmp_path, capsys):
    common = [
        "--vae",
        str(runs["vae"]),
        "--gan",
        str(runs["gan"]),
        "--data-dir",
        str(tiny_data_dir),
        "--samples",
        "100",
        "--iwae-k",
        "2",
    ]
    assert report_cli([*common, "--out", str(tmp_path / "report")]) == 0
    assert (tmp_path / "report" / "report.pdf").is_file()
    assert (tmp_path / "report" / "metrics.json").is_file()
    assert evaluate_cli([*common, "--out", str(tmp_path / "numbers")]) == 0
    out = capsys.readouterr().out
    assert "The VAE reconstructs test images" in out and "wrote" in out


def test_a_missing_run_is_a_clear_error(tiny_data_dir, tmp_path, capsys):
    assert report_cli(["--vae", str(tmp_path / "nope"), "--data-dir", str(tiny_data_dir)]) == 1
    assert "no such checkpoint file" in capsys.readouterr().err
    assert evaluate_cli(["--data-dir", str(tiny_data_dir)]) == 1
    assert "name at least one run" in capsys.readouterr().err


def test_binarize_end_to_end_reports_plausible_bits_per_dimension(tiny_data_dir, tmp_path):
    """Trained and evaluated on binarised pixels, the IWAE NLL is a density: bits/dim < 1."""
    folder = tiny_run("vae", tiny_data_dir, tmp_path / "runs", "--binarize", epochs=2)
    assert json.loads((folder / "config.json").read_text())["binarize"] is True
    args = ["--vae", str(folder), "--data-dir", str(tiny_data_dir), "--samples", "50"]
    assert evaluate_cli([*args, "--iwae-k", "8"]) == 0
    overall = json.loads((folder / "metrics.json").read_text())["vae"]["test"]["overall"]
    nll, bits = overall["iwae_nll"], overall["bits_per_dim"]
    print(f"\nbinarised: IWAE NLL {nll:.1f} nats per image, {bits:.3f} bits/dim")
    assert bits == pytest.approx(nll / (784 * math.log(2)))
    # 1 bit/dim is what a model that knows nothing (every pixel 50:50) scores.
    assert 0 < bits < 0.9
