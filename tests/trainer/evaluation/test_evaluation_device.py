"""Where an evaluation runs (the GPU a run trained on when this machine has CUDA, else the CPU)
and how many samples each row gets there."""

from __future__ import annotations

import argparse
import shlex
from dataclasses import replace

import pytest
import torch

from tests.runs import small_latent, tiny_run
from trainer.cli.evaluate import add_evaluation_arguments, add_report_arguments, options_from_args
from trainer.common.errors import ConfigError, FmgenError
from trainer.config.settings import default_config
from trainer.evaluation.evaluate import sample_count
from trainer.evaluation.results import EvaluationSettings
from trainer.learners import Learner, make_learner
from trainer.report.evaluating import evaluate_options
from trainer.report.options import ReportOptions, command_line
from trainer.runs.checkpoint import load_checkpoint
from trainer.runs.loading import evaluation_device, load_learner


@pytest.fixture(scope="module")
def cpu_run(tiny_data_dir, tmp_path_factory):
    return tiny_run("vae", tiny_data_dir, tmp_path_factory.mktemp("runs"))


def test_a_cpu_run_evaluates_on_the_cpu_even_where_a_gpu_is(cpu_run, monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert evaluation_device(load_checkpoint(cpu_run), "auto") == torch.device("cpu")


def test_a_gpu_run_on_a_machine_without_cuda_evaluates_on_the_cpu(cpu_run, monkeypatch):
    checkpoint = load_checkpoint(cpu_run)
    checkpoint.state["rng_device"] = "cuda"  # as a run trained on a GPU box records it
    monkeypatch.setattr("trainer.runs.loading.load_checkpoint", lambda path, **_: checkpoint)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert evaluation_device(checkpoint, "auto") == torch.device("cpu")
    learner, loaded = load_learner(cpu_run, device="auto")
    assert loaded.state["rng_device"] == "cuda" and learner.device == torch.device("cpu")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)  # would it look at all?
    monkeypatch.setattr("trainer.runs.loading.resolve_device", lambda spec: torch.device("meta"))
    assert evaluation_device(checkpoint, "auto") == torch.device("meta")


def test_asking_for_a_gpu_this_machine_lacks_is_a_clear_error(cpu_run, monkeypatch):
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 0)
    with pytest.raises(ConfigError, match="no CUDA GPU is usable here"):
        evaluation_device(load_checkpoint(cpu_run), "cuda")


def learner_of(model: str) -> Learner:
    return make_learner(default_config(model, **small_latent(model)), torch.device("cpu"))


@pytest.mark.usefixtures("small_networks")
def test_a_multi_step_sampler_on_the_cpu_caps_every_rows_samples():
    vae, ddpm = learner_of("vae"), learner_of("ddpm")
    settings = EvaluationSettings(samples=10000, slow_on_cpu=2000)
    assert sample_count(settings, 60000, [vae]) == 10000
    assert sample_count(settings, 60000, [vae, ddpm]) == 2000  # the VAE's row too: one count
    assert sample_count(replace(settings, slow_on_cpu=0), 60000, [vae, ddpm]) == 10000
    assert sample_count(replace(settings, samples=500), 60000, [ddpm]) == 500
    assert sample_count(settings, 300, [vae]) == 300  # no more than the real-data floor row has


def test_the_reproduce_line_keeps_the_device_and_the_cap(cpu_run):
    options = ReportOptions(runs=(cpu_run,), device="cpu", slow_on_cpu=0)
    line = command_line(options)
    assert "--device cpu --slow-on-cpu 0" in line
    parser = argparse.ArgumentParser()
    add_evaluation_arguments(parser)
    add_report_arguments(parser)
    args = parser.parse_args(shlex.split(line)[1:])
    assert options_from_args(args).settings() == options.settings()


@pytest.mark.parametrize("cap", [-1, 5])
def test_an_impossible_cap_is_a_clear_error(cpu_run, cap):
    """The use case names the setting as the Evaluate tab does, never a command-line flag."""
    with pytest.raises(
        FmgenError,
        match=r"^Samples of a slow sampler on the CPU: .* is outside 10\.\.60000 \(or 0: no cap\)",
    ):
        evaluate_options(ReportOptions(runs=(cpu_run,), slow_on_cpu=cap), lambda *a: None)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"runs": ()}, "No run to evaluate: open or choose at least one run."),
        ({"samples": 5}, "Samples: 5 is outside 10..60000"),
        ({"iwae_k": 0}, "IWAE k: 0 is outside 1..5000"),
    ],
)
def test_the_use_case_speaks_the_apps_words(cpu_run, options, message):
    with pytest.raises(FmgenError) as error:
        evaluate_options(ReportOptions(**{"runs": (cpu_run,), **options}), lambda *a: None)
    assert str(error.value).startswith(message) and "--" not in str(error.value)


@pytest.fixture
def threads_restored():
    before = torch.get_num_threads()
    yield
    torch.set_num_threads(before)


@pytest.mark.usefixtures("threads_restored")
def test_a_run_loaded_on_the_cpu_uses_the_training_thread_count(cpu_run, monkeypatch):
    # A fresh app never trained, so torch kept its thread per core: on a busy 2-core machine
    # the opened DDPM then sampled 10-20x slower than right after training (trial defect 3).
    monkeypatch.setenv("FMGEN_THREADS", "1")
    torch.set_num_threads(2)
    load_learner(cpu_run, device="cpu")
    assert torch.get_num_threads() == 1
