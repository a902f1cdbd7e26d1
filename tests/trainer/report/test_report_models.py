"""Each model family evaluated and reported on tiny runs: a toy registered model, a binarised
VAE, the flow and the DDPM, a logistic-decoder VAE; and no run at all."""

from __future__ import annotations

import json
import math
from dataclasses import replace

import pytest

from fmgen_gui.report.page import export_report
from tests.conftest import pdf_text
from tests.runs import tiny_run
from tests.toy_model import toy_model  # noqa: F401  (a fixture)
from tests.trainer.learners.test_likelihood_closed_forms import identity_flow_nats, per_value_bits
from tests.trainer.report.test_report import SMALL, page_count, real_data_fid
from trainer.cli.evaluate import main as evaluate_cli
from trainer.common import keys
from trainer.evaluation.comparison import COST_SECTION, LIKELIHOOD_SECTION
from trainer.evaluation.evaluate import LIKELIHOOD, evaluate
from trainer.metrics.classifier import train_classifier
from trainer.registry import get_model
from trainer.report.options import ReportOptions
from trainer.runs.loading import load_learner
from trainer.runs.metrics_json import RUNS
from trainer.runs.pins import run_key

pytestmark = pytest.mark.timeout(600)


@pytest.fixture(scope="module")
def classifier(tiny_data):
    return train_classifier(tiny_data, epochs=2)


def test_no_run_is_a_clear_error(tiny_data_dir, capsys):
    with pytest.raises(SystemExit) as info:
        evaluate_cli(["--data-dir", str(tiny_data_dir)])
    assert info.value.code == 2
    assert "name at least one run" in capsys.readouterr().err


@pytest.mark.usefixtures("toy_model")
def test_a_registered_toy_model_evaluates_and_reports(
    tiny_data, tiny_data_dir, classifier, tmp_path, qtbot
):
    run = tiny_run("toy", tiny_data_dir, tmp_path / "toy")
    evaluation = evaluate([run], tiny_data, *classifier, SMALL)
    section = evaluation.metrics[RUNS][run_key(run)]
    assert section["label"] == "Toy" and "test" not in section
    assert section["samples"][keys.FID] > 10 * real_data_fid(evaluation)
    assert [p.kind for p in evaluation.runs[run_key(run)].paths] == ["Between latent draws"]
    files = export_report(evaluation, ReportOptions(runs=(run,)), tmp_path / "report")
    assert page_count(files.pdf) == 1 and "pixel MSE" in pdf_text(files.pdf)


def test_binarize_end_to_end_reports_plausible_bits_per_dimension(tiny_data_dir, tmp_path):
    """Trained and evaluated on binarised pixels, the IWAE NLL is a density: bits/dim < 1."""
    folder = tiny_run("vae", tiny_data_dir, tmp_path / "runs", "--binarize", epochs=2)
    assert json.loads((folder / "config.json").read_text())["binarize"] is True
    args = ["--vae", str(folder), "--data-dir", str(tiny_data_dir), "--samples", "50"]
    assert evaluate_cli([*args, "--iwae-k", "8"]) == 0
    document = json.loads((folder / "metrics.json").read_text())
    overall = document[RUNS][run_key(folder)]["test"]["overall"]
    nll, bits = overall[keys.IWAE_NLL], overall[keys.BITS_PER_DIM]
    print(f"\nbinarised: IWAE NLL {nll:.1f} nats per image, {bits:.3f} bits/dim")
    assert bits == pytest.approx(nll / (784 * math.log(2)))
    # 1 bit/dim is what a model that knows nothing (every pixel 50:50) scores.
    assert 0 < bits < 0.9


@pytest.mark.usefixtures("small_networks")
def test_flow_and_ddpm_runs_evaluate_and_report(
    tiny_data, tiny_data_dir, classifier, tmp_path, qtbot
):
    runs = [tiny_run(model, tiny_data_dir, tmp_path / model) for model in ("flow", "ddpm")]
    stages = []
    evaluation = evaluate(
        runs, tiny_data, *classifier, replace(SMALL, samples=40), lambda *s: stages.append(s)
    )
    likelihood = [(fraction, text) for stage, fraction, text in stages if stage == LIKELIHOOD]
    assert [fraction for fraction, _ in likelihood] == [0.5, 1.0]  # each run's share, done
    flow_estimate, ddpm_estimate = (get_model(m).likelihood.estimate for m in ("flow", "ddpm"))
    assert [text for _, text in likelihood] == [  # the first run's end names the next
        f"Flow: {flow_estimate}; DDPM next",
        f"DDPM: {ddpm_estimate}",
    ]
    for run in runs:
        section = evaluation.metrics[RUNS][run_key(run)]
        assert "test" not in section  # no ELBO terms: neither has an approximate posterior
        assert section["samples"][keys.FID] > 10 * real_data_fid(evaluation)
    flow, ddpm = (evaluation.runs[run_key(run)] for run in runs)
    assert [p.pin.source for p in flow.paths] == ["test", "test"]  # an exact encoder
    assert [p.pin.source for p in ddpm.paths] == ["test", "test"]  # by DDIM inversion
    exact, bound = (flow.metrics[LIKELIHOOD_SECTION], ddpm.metrics[LIKELIHOOD_SECTION])
    assert (exact["kind"], bound["kind"]) == ("exact", "bound")
    for run, found in zip(runs, (exact, bound), strict=True):  # the model's own, same streams
        own = load_learner(run)[0].evaluate(tiny_data.test)
        assert found[keys.BITS_PER_DIM] == pytest.approx(own[keys.BITS_PER_DIM], rel=1e-9)
    # one epoch took the flow below its identity initialisation's closed form (7.47 vs 9.21)
    untrained = per_value_bits(identity_flow_nats(), tiny_data.test.images)
    assert exact[keys.BITS_PER_DIM] < untrained - 1
    assert exact[keys.BITS_PER_DIM_SE] is None
    assert 0 < bound[keys.BITS_PER_DIM_SE] < 0.05 * bound[keys.BITS_PER_DIM]  # 0.25 on 16.6
    costs = [run.metrics[COST_SECTION] for run in (flow, ddpm)]
    assert [c["network_evaluations"] for c in costs] == [1, 50]
    assert costs[1]["sampler"].startswith("DDIM") and all(c["ms_per_sample"] > 0 for c in costs)
    options = ReportOptions(runs=tuple(runs), appendix=True)  # the full table: its second page
    files = export_report(evaluation, options, tmp_path / "report")
    text = pdf_text(files.pdf)
    assert page_count(files.pdf) == 2
    assert "exact likelihood" in text and "denoising bound" in text
    assert "DDIM," in text  # the sampler behind the DDPM row (its cell wraps)


@pytest.mark.usefixtures("small_networks")
def test_a_logistic_vae_bound_is_in_8_bit_bits_per_dimension(
    tiny_data, tiny_data_dir, classifier, tmp_path
):
    run = tiny_run("vae", tiny_data_dir, tmp_path / "vae", "--decoder", "logistic")
    evaluation = evaluate([run], tiny_data, *classifier, replace(SMALL, samples=20))
    section = evaluation.metrics[RUNS][run_key(run)]
    found, iwae = section[LIKELIHOOD_SECTION], section["test"]["overall"][keys.IWAE_NLL]
    assert found["kind"] == "bound" and found["estimate"] == "IWAE, k = 3"
    assert found[keys.BITS_PER_DIM] == pytest.approx(iwae / (784 * math.log(2)))
