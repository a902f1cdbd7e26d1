"""The sweep figure: which runs form a sweep, its points from the evaluation's own numbers, and
the figure with its caption on the report page."""

from __future__ import annotations

import copy
import dataclasses
import json

import pytest

from tests.runs import tiny_sweep
from tests.toy_model import TOY, toy_model  # noqa: F401  (a fixture)
from trainer.common import keys
from trainer.config.settings import default_config
from trainer.evaluation.document import write_metrics
from trainer.evaluation.evaluate import evaluate
from trainer.evaluation.results import EvaluationSettings
from trainer.evaluation.sweep_points import METRIC, RATE_DISTORTION, sweep_section, swept_setting
from trainer.metrics.classifier import train_classifier
from trainer.registry import RateDistortion, register_model
from trainer.report.options import ReportOptions
from trainer.runs.metrics_json import RUNS, SAMPLES_SECTION, SWEEP, TEST_SECTION

BETAS = ["0.5", "1", "4"]
SMALL = EvaluationSettings(samples=100, iwae_k=3, pr_k=2, steps=5)


def test_a_sweep_is_runs_of_one_model_that_differ_in_one_setting():
    base = default_config("vae")
    beta = [base, base.replace(beta=4.0)]
    assert swept_setting(beta) == "beta"
    assert swept_setting([*beta, base.replace(beta=2.0, latent_dim=8)]) is None  # two settings
    assert swept_setting([base, base.replace(device="cpu", log_every=3)]) is None  # same setting
    assert swept_setting([base, base.replace(seed=1)]) == "seed"  # the seed counts
    assert swept_setting([base.replace(beta=1), base.replace(beta=1.0)]) is None  # equal values
    assert swept_setting([base, default_config("cvae", beta=4.0)]) is None  # two models
    assert swept_setting([base]) is None


@pytest.fixture(scope="module")
def beta_sweep(tiny_data, tiny_data_dir, tmp_path_factory):
    """Three tiny VAE runs of a beta sweep (0.5, 1, 4), evaluated; given out of order."""
    runs = tiny_sweep("vae", tiny_data_dir, tmp_path_factory.mktemp("sweep"), {"beta": BETAS})
    classifier = train_classifier(tiny_data, epochs=1)
    return evaluate(runs[::-1], tiny_data, *classifier, SMALL)


def test_rate_distortion_points_are_the_evaluations_own_terms(beta_sweep, tmp_path):
    section = beta_sweep.metrics[SWEEP]
    assert (section["setting"], section["figure"]) == ("beta", RATE_DISTORTION)
    assert [p["name"] for p in section["points"]] == ["beta=0.5", "beta=1", "beta=4"]
    for point in section["points"]:
        overall = beta_sweep.metrics[RUNS][point["run"]][TEST_SECTION]["overall"]
        assert (point["x"], point["y"]) == (overall[keys.KL], overall[keys.RECON])
    rates = [p["x"] for p in section["points"]]
    assert rates[-1] < rates[0]  # measured 3.33 vs 3.79 nats: beta 4 pays for its KL
    caption = section["caption"]
    assert "3 VAE runs that differ only in KL weight beta (0.5, 1 and 4)" in caption
    assert "100 test images with 3 posterior draws" in caption
    assert "each trained 1 epoch on 200 images" in caption
    written = write_metrics(beta_sweep, tmp_path)
    assert json.loads(written[-1].read_text())[SWEEP] == section  # the report's metrics.json
    assert SWEEP not in json.loads(written[0].read_text())  # a run's own file: no sweep


def _with_configs(metrics: dict, **changes: list) -> dict:
    """`metrics` with each run's config changed: setting -> one value per run."""
    document = copy.deepcopy(metrics)
    for n, section in enumerate(document[RUNS].values()):
        section["config"] |= {"beta": 1.0, **{name: v[n] for name, v in changes.items()}}
    return document


def test_other_settings_get_the_metric_figure_or_a_reason(beta_sweep):
    latent = sweep_section(_with_configs(beta_sweep.metrics, latent_dim=[16, 2, 8]))
    assert (latent["figure"], latent["x_label"], latent["y_label"]) == (
        METRIC,
        "Latent size",
        "FID",
    )
    assert [p["x"] for p in latent["points"]] == [2, 8, 16]
    fids = {k: s[SAMPLES_SECTION][keys.FID] for k, s in beta_sweep.metrics[RUNS].items()}
    assert [p["y"] for p in latent["points"]] == [fids[p["run"]] for p in latent["points"]]
    assert latent["caption"].startswith("FID of 3 VAE runs that differ only in latent size")
    assert "100 samples of each against 100 test images; lower is better" in latent["caption"]
    binary = sweep_section(_with_configs(beta_sweep.metrics, binarize=[True, False, False]))
    assert binary["figure"] is None and binary["points"] == []
    assert (
        "differ only in binarise (True, False and False), which is not a number"
        in (binary["reason"])
    )
    seeds = sweep_section(_with_configs(beta_sweep.metrics, seed=[0, 1, 2]))
    assert seeds["figure"] is None and "repeats of one setting" in seeds["reason"]
    assert sweep_section(_with_configs(beta_sweep.metrics)) is None  # all beta 1: no sweep


@pytest.mark.usefixtures("toy_model")
def test_the_figure_a_model_draws_comes_from_its_registry_entry(beta_sweep):
    document = _with_configs(beta_sweep.metrics, model=["toy"] * 3, latent_dim=[2, 4, 8])
    assert sweep_section(document)["figure"] == METRIC  # the toy draws no rate-distortion
    register_model(dataclasses.replace(TOY, rate_distortion=RateDistortion(("latent_dim",))))
    section = sweep_section(document)
    assert section["figure"] == RATE_DISTORTION and section["model"] == "toy"
    assert section["caption"].startswith("Rate-distortion of 3 Toy runs")


def test_the_report_draws_the_sweep_figure_with_its_caption(beta_sweep, tmp_path, qtbot):
    from fmgen_gui.report.page import export_report
    from tests.trainer.report.test_report import page_count, pdf_text

    files = export_report(beta_sweep, ReportOptions(runs=()), tmp_path)
    assert page_count(files.pdf) == 1
    assert (tmp_path / "figures" / "sweep.svg").is_file()  # exported like every figure
    text = pdf_text(files.pdf)
    # pdftotext reads "differ" with a ligature: match around it
    assert "Rate-distortion of 3 VAE runs" in text and "KL weight beta (0.5, 1 and 4)" in text
    for name in ("beta=0.5", "beta=1", "beta=4", "rate (nats/image)", "distortion (nats/image)"):
        assert name in text
