"""The CUDA path (skipped where no GPU is usable; CI has none, the lent GPU machine runs it)."""

from __future__ import annotations

import pytest
import torch

from tests.runs import tiny_run
from trainer.checkpoint import load_checkpoint
from trainer.cli import main as train_cli
from trainer.config import default_config
from trainer.device import available_devices, describe_device, resolve_device
from trainer.learners import make_learner

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
