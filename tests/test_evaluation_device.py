"""Where an evaluation runs: the GPU a run trained on when this machine has CUDA, else the CPU."""

from __future__ import annotations

import pytest
import torch

from tests.runs import tiny_run
from trainer.checkpoint import load_checkpoint
from trainer.errors import ConfigError
from trainer.evaluate import evaluation_device, load_learner


@pytest.fixture(scope="module")
def cpu_run(tiny_data_dir, tmp_path_factory):
    return tiny_run("vae", tiny_data_dir, tmp_path_factory.mktemp("runs"))


def test_a_cpu_run_evaluates_on_the_cpu_even_where_a_gpu_is(cpu_run, monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert evaluation_device(load_checkpoint(cpu_run), "auto") == torch.device("cpu")


def test_a_gpu_run_on_a_machine_without_cuda_evaluates_on_the_cpu(cpu_run, monkeypatch):
    checkpoint = load_checkpoint(cpu_run)
    checkpoint.state["rng_device"] = "cuda"  # as a run trained on a GPU box records it
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert evaluation_device(checkpoint, "auto") == torch.device("cpu")
    learner, _ = load_learner(cpu_run, device="auto")
    assert learner.device == torch.device("cpu")


def test_asking_for_a_gpu_this_machine_lacks_is_a_clear_error(cpu_run, monkeypatch):
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 0)
    with pytest.raises(ConfigError, match="no CUDA GPU is usable here"):
        evaluation_device(load_checkpoint(cpu_run), "cuda")
