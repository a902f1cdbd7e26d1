"""The CUDA path (skipped where no GPU is usable; CI has none, the lent GPU machine runs it)."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
import torch

from tests.runs import tiny_run
from tests.trainer.config.test_precision_probe import measured
from trainer.cli.train import main as train_cli
from trainer.common import keys
from trainer.config.device import available_devices, describe_device, resolve_device
from trainer.config.precision import Precision, resolve_precision
from trainer.config.precision_probe import CACHE_NAME, MIN_ROUNDS
from trainer.config.settings import default_config
from trainer.evaluation.comparison import COST_SECTION
from trainer.evaluation.evaluate import evaluate
from trainer.evaluation.results import EvaluationSettings
from trainer.learners import make_learner
from trainer.learners.precision_trial import learner_probe
from trainer.metrics.classifier import train_classifier
from trainer.runs.checkpoint import load_checkpoint
from trainer.runs.metrics_json import RUNS
from trainer.runs.pins import run_key

pytestmark = pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA GPU here")


def test_auto_picks_the_gpu_and_lists_it_by_name():
    assert resolve_device("auto").type == "cuda"
    assert resolve_device("cuda") == torch.device("cuda", 0)
    names = dict(available_devices())
    assert "cuda:0" in names and torch.cuda.get_device_name(0) in names["cuda:0"]
    assert describe_device(torch.device("cuda", 0)).startswith("cuda:0 (")


@pytest.mark.parametrize("model", ["vae", "gan"])
def test_train_on_cuda_then_resume_and_load_on_the_cpu(tiny_data_dir, tmp_path, model):
    folder = tiny_run(model, tiny_data_dir, tmp_path, "--device", "cuda")
    checkpoint = load_checkpoint(folder)
    assert checkpoint.state["rng_device"] == "cuda"
    learner = make_learner(checkpoint.config.replace(device="cpu"), torch.device("cpu"))
    learner.load_state_dict(checkpoint.state)  # what the app does with a GPU-trained model
    assert (
        train_cli(
            [
                "--resume",
                str(folder),
                "--epochs",
                "2",
                "--device",
                "cpu",
                "--data-dir",
                str(tiny_data_dir),
            ]
        )
        == 0
    )
    assert load_checkpoint(folder).step == 16


def test_cuda_reruns_agree_closely(tiny_data):
    config = default_config("vae", latent_dim=4, batch_size=32, device="cuda", seed=3)
    losses = []
    for _ in range(2):
        learner = make_learner(config, torch.device("cuda"))
        losses.append([learner.train_step(tiny_data.train.images[:32])["loss"] for _ in range(5)])
    assert losses[0] == pytest.approx(losses[1], rel=1e-3)


@pytest.mark.parametrize("model", ["vae", "gan"])
def test_fp16_with_loss_scaling_trains_and_resumes_in_fp32(tiny_data_dir, tmp_path, model):
    folder = tiny_run(model, tiny_data_dir, tmp_path, "--device", "cuda", "--precision", "fp16")
    assert json.loads((folder / "run.json").read_text())["precision"]["used"] == "fp16"
    state = load_checkpoint(folder).state
    learner = make_learner(default_config(model), torch.device("cuda"))
    assert set(state["scalers"]) == set(learner.optimizers)  # one loss scale per optimizer
    assert all(scaler["scale"] > 0 for scaler in state["scalers"].values())
    assert all(torch.isfinite(t).all() for t in state["model"].values())
    args = ["--resume", str(folder), "--epochs", "2", "--precision", "fp32"]
    assert train_cli([*args, "--data-dir", str(tiny_data_dir)]) == 0
    assert json.loads((folder / "run.json").read_text())["precision"]["used"] == "fp32"


def test_auto_on_this_gpu_follows_its_hardware_and_the_probe():
    gpu = torch.device("cuda", 0)
    native = "bf16" if torch.cuda.is_bf16_supported(including_emulation=False) else "fp16"
    asked = []
    faster = resolve_precision("auto", gpu, lambda mode: asked.append(mode) or measured(2.0))
    assert faster.mode == native and asked == [native]
    fallback = "tf32" if torch.cuda.get_device_capability(gpu) >= (8, 0) else "fp32"
    assert resolve_precision("auto", gpu, lambda mode: measured(1.0)).mode == fallback


def test_auto_measures_the_models_own_step_on_this_gpu(tiny_data, isolated_cache):
    gpu = torch.device("cuda", 0)
    config = default_config("vae", device="cuda")
    batch = slice(0, config.batch_size)
    images, labels = tiny_data.train.images[batch].to(gpu), tiny_data.train.labels[batch].to(gpu)
    chosen = resolve_precision("auto", gpu, learner_probe(config, gpu, images, labels))
    evidence = chosen.evidence
    assert evidence is not None and evidence.rounds >= MIN_ROUNDS and evidence.ratio > 0
    assert (CACHE_NAME in {p.name for p in isolated_cache.iterdir()}) == evidence.stable


def test_evaluation_on_the_gpu_is_fp32_even_inside_autocast(tiny_data):
    config = default_config("vae", latent_dim=4, device="cuda")
    trained = make_learner(config, torch.device("cuda"), Precision("fp16"))
    trained.train_step(tiny_data.train.images[:32])
    with torch.autocast("cuda", dtype=torch.float16):
        metrics = trained.evaluate(tiny_data.test)
    plain = make_learner(config, torch.device("cuda"))
    plain.load_state_dict(trained.state_dict())
    assert metrics == pytest.approx(plain.evaluate(tiny_data.test), rel=1e-5)  # fp16: ~1e-3


@pytest.mark.usefixtures("small_networks")
def test_runs_trained_on_the_gpu_evaluate_there_with_the_cpus_numbers(
    tiny_data, tiny_data_dir, tmp_path
):
    runs = [
        tiny_run(model, tiny_data_dir, tmp_path / model, "--device", "cuda", *extra)
        for model, extra in (("vae", ("--binarize",)), ("cvae", ()), ("flow", ()), ("ddpm", ()))
    ]
    classifier = train_classifier(tiny_data, epochs=1)
    settings = EvaluationSettings(samples=40, iwae_k=3, pr_k=2, steps=5)
    on_gpu = evaluate(runs, tiny_data, *classifier, settings)
    on_cpu = evaluate(runs, tiny_data, *classifier, replace(settings, device="cpu"))
    for run in runs:
        gpu, cpu = (e.metrics[RUNS][run_key(run)] for e in (on_gpu, on_cpu))
        assert gpu[COST_SECTION]["device"] == "cuda:0" and cpu[COST_SECTION]["device"] == "cpu"
        # the same CPU-drawn noise through the same weights; cuDNN's kernels round otherwise
        # than the CPU's, and an FID of 40 samples magnifies that, hence 2% (the -ELBO: 0.1%)
        assert gpu["samples"][keys.FID] == pytest.approx(cpu["samples"][keys.FID], rel=0.02)
        if "test" in cpu:
            both = (gpu["test"]["overall"], cpu["test"]["overall"])
            assert both[0][keys.NEG_ELBO] == pytest.approx(both[1][keys.NEG_ELBO], rel=1e-3)
