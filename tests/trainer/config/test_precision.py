"""Training precision: what `auto` chooses, bf16 close to fp32, fp32 scoring, resumes across."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from tests.runs import tiny_run
from tests.toy_model import toy_model  # noqa: F401  (a fixture)
from trainer.cli.train import main as train_cli
from trainer.common.events import RunFailed, RunFinished, RunStarted
from trainer.config.precision import Precision, model_precision
from trainer.config.settings import default_config
from trainer.learners import make_learner
from trainer.metrics.classifier import FashionClassifier
from trainer.metrics.distribution import describe
from trainer.metrics.reconstruction import per_image_terms
from trainer.runs.checkpoint import load_checkpoint
from trainer.runs.folder import RunFolder
from trainer.training.loop import train

CPU = torch.device("cpu")
BF16 = Precision("bf16", "asked for in a test")


@pytest.mark.parametrize("model", ["vae", "gan"])
def test_a_bf16_step_gives_the_fp32_losses_closely(tiny_data, model):
    config = default_config(model, latent_dim=4, device="cpu")
    images = tiny_data.train.images[:8]
    fp32 = make_learner(config, CPU).train_step(images)
    bf16 = make_learner(config, CPU, BF16).train_step(images)
    assert bf16 == pytest.approx(fp32, rel=0.02)
    assert bf16 != fp32  # bf16 really ran


def test_networks_compute_in_bf16_and_hand_back_float32(tiny_data):
    learner = make_learner(default_config("vae", latent_dim=4), CPU, BF16)
    inner = []
    learner.model.encoder[0].register_forward_hook(lambda m, a, out: inner.append(out.dtype))
    loss = learner.model.loss(learner.prepare(tiny_data.train.images[:8]))
    assert inner == [torch.bfloat16]
    assert {loss.total.dtype, loss.recon.dtype, loss.kl.dtype} == {torch.float32}


def output_dtypes(model: torch.nn.Module) -> set[torch.dtype]:
    """The dtypes every layer of `model` will output, filled in as it runs."""
    seen: set[torch.dtype] = set()
    for layer in model.modules():
        if not list(layer.children()):
            layer.register_forward_hook(lambda m, a, out: seen.add(out.dtype))
    return seen


@pytest.mark.parametrize("model", ["vae", "gan"])
def test_evaluation_computes_in_fp32_even_inside_autocast(tiny_data, model):
    config = default_config(model, latent_dim=4, device="cpu")
    trained = make_learner(config, CPU, BF16)
    trained.train_step(tiny_data.train.images[:8])
    seen = output_dtypes(trained.model)
    with torch.autocast("cpu", dtype=torch.bfloat16):
        metrics = trained.evaluate(tiny_data.test)
        trained.grids(tiny_data.test)
    assert seen == {torch.float32}
    plain = make_learner(config, CPU)
    plain.load_state_dict(trained.state_dict())
    assert metrics == plain.evaluate(tiny_data.test)


def test_metrics_are_computed_in_fp32_even_inside_autocast():
    torch.manual_seed(0)
    vae = make_learner(default_config("vae", latent_dim=4), torch.device("cpu"))
    classifier, images = FashionClassifier(), torch.rand(20, 1, 28, 28)
    labels = torch.arange(20) % 10

    def scores():
        terms = per_image_terms(vae, images, labels, samples=4)
        return terms.recon, terms.kl, terms.iwae, describe(classifier, images).features

    plain = scores()
    with torch.autocast("cpu", dtype=torch.bfloat16):
        inside = scores()
    for got, expected in zip(inside[:3], plain[:3], strict=True):
        np.testing.assert_array_equal(got, expected)
    assert torch.equal(inside[3], plain[3])


@pytest.mark.parametrize(("first", "then"), [("bf16", "fp32"), ("fp32", "bf16")])
def test_a_run_resumes_in_another_precision(toy_model, tiny_data, tmp_path, first, then):  # noqa: F811
    config = default_config("toy", epochs=1, device="cpu", precision=first)
    events = list(train(config, tiny_data, tmp_path))
    assert events[0].precision == first and isinstance(events[-1], RunFinished)
    resumed = config.replace(epochs=2, precision=then)
    events = list(train(resumed, tiny_data, tmp_path, resume=load_checkpoint(tmp_path)))
    assert isinstance(events[0], RunStarted) and events[0].precision == then
    assert isinstance(events[-1], RunFinished) and events[-1].step == 16
    assert load_checkpoint(tmp_path).config.precision == then
    assert json.loads((tmp_path / "run.json").read_text())["precision"]["used"] == then
    records = [r for r in RunFolder(tmp_path).read_metrics() if r["type"] == "precision"]
    assert [(r["step"], r["used"]) for r in records] == [(0, first), (8, then)]


def test_fp16_on_the_cpu_fails_the_run_with_a_config_message(tiny_data, tmp_path):
    config = default_config("vae", latent_dim=4, device="cpu", precision="fp16")
    failed = list(train(config, tiny_data, tmp_path))[-1]
    assert isinstance(failed, RunFailed) and failed.kind == "config"
    assert "fp16 needs a CUDA GPU" in failed.message


def test_auto_stays_in_the_config_and_the_choice_is_recorded_beside_it(
    tiny_data_dir, tmp_path, capsys
):
    folder = tiny_run("vae", tiny_data_dir, tmp_path)
    assert json.loads((folder / "config.json").read_text())["precision"] == "auto"
    choice = json.loads((folder / "run.json").read_text())["precision"]
    assert choice["requested"] == "auto" and choice["used"] == "fp32" and choice["reason"]
    (record,) = [r for r in RunFolder(folder).read_metrics() if r["type"] == "precision"]
    assert record == {"type": "precision", "step": 0, **choice}
    out = capsys.readouterr().out
    assert f"precision fp32: {choice['reason']}" in out


def test_the_cli_offers_only_known_precisions(capsys):
    with pytest.raises(SystemExit) as info:
        train_cli(["--model", "vae", "--precision", "half"])
    assert info.value.code == 2 and "invalid choice: 'half'" in capsys.readouterr().err


@pytest.mark.usefixtures("small_networks")
def test_a_float32_only_model_records_the_precision_it_really_used(tiny_data_dir, tmp_path):
    folder = tiny_run("flow", tiny_data_dir, tmp_path, "--precision", "bf16")
    choice = json.loads((folder / "run.json").read_text())["precision"]
    assert (choice["requested"], choice["used"]) == ("bf16", "fp32")
    assert choice["reason"].startswith("bf16 not used: the flow's log-likelihood")
    assert model_precision(BF16, "") == BF16  # a model without the flag keeps what was chosen
