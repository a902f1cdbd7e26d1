"""The report's -ELBO is the training loop's (the README's claim): the evaluation's terms
(trainer/evaluation/run_stages.py, per_image_terms) against learner.evaluate() on the same model
and data."""

from __future__ import annotations

import math

import pytest
import torch

from tests.runs import tiny_run
from trainer.common import keys
from trainer.evaluation.results import EvaluationSettings
from trainer.evaluation.run_stages import evaluate_encoder
from trainer.registry import get_model
from trainer.runs.loading import load_learner

K = 20  # the evaluation's draws per image; the training loop takes one


@pytest.mark.parametrize("decoder", ["bernoulli", "logistic"])
def test_the_reports_elbo_terms_are_the_training_loops(tiny_data, tiny_data_dir, tmp_path, decoder):
    run = tiny_run("vae", tiny_data_dir, tmp_path, "--decoder", decoder)
    learner, _ = load_learner(run)
    split = tiny_data.test
    loop = learner.evaluate(split)
    settings = EvaluationSettings(iwae_k=K, seed=3)
    spec = get_model("vae")
    report, _ = evaluate_encoder(learner, spec, tiny_data, settings, lambda done: None, None)
    overall = report["overall"]

    # The KL is the closed form in both: no draw, so equal to float32 rounding.
    assert overall[keys.KL] == pytest.approx(loop[keys.KL], rel=1e-5)
    # The reconstruction term is a Monte Carlo mean in both (1 draw per image in the loop, K
    # here), so they differ by sampling noise alone: its standard error from the posterior's
    # own spread, measured on 200 draws per image.
    x = learner.prepare(split.images, torch.Generator().manual_seed(0))
    with learner.evaluating():
        draws = learner.posterior_draws(x, split.labels, 200, torch.Generator().manual_seed(1))
    spread = draws.recon.var(dim=1).mean().item()
    standard_error = math.sqrt(spread * (1 + 1 / K) / len(split))
    recon = overall[keys.RECON]
    assert abs(recon - loop[learner.model.likelihood.metric]) < 4 * standard_error
    assert abs(overall[keys.NEG_ELBO] - loop[keys.NEG_ELBO]) < 4 * standard_error
    assert standard_error < 0.02 * recon  # the check is tight: noise of a few nats at most
