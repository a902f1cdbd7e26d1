"""Damaged, foreign and malicious checkpoints are refused with a clear message."""

from __future__ import annotations

import os
import pickle

import pytest
import torch

from trainer.common.errors import CheckpointError
from trainer.config.settings import default_config
from trainer.learners import make_learner
from trainer.runs.checkpoint import FORMAT_VERSION, load_checkpoint, save_checkpoint
from trainer.training.loop import train


@pytest.fixture(scope="module")
def vae_checkpoint(tiny_data, tmp_path_factory):
    folder = tmp_path_factory.mktemp("run")
    config = default_config("vae", epochs=1, batch_size=50, latent_dim=3, device="cpu")
    list(train(config, tiny_data, folder))
    return folder / "checkpoint.pt"


def test_a_checkpoint_alone_rebuilds_the_model(vae_checkpoint, tiny_data):
    checkpoint = load_checkpoint(vae_checkpoint)
    learner = make_learner(checkpoint.config, torch.device("cpu"))
    learner.load_state_dict(checkpoint.state)
    assert learner.model.latent_dim == 3
    assert learner.evaluate(tiny_data.test)["neg_elbo"] == pytest.approx(
        checkpoint.metrics["neg_elbo"]
    )


def test_truncated(vae_checkpoint, tmp_path):
    broken = tmp_path / "broken.pt"
    broken.write_bytes(vae_checkpoint.read_bytes()[: vae_checkpoint.stat().st_size // 2])
    with pytest.raises(CheckpointError, match="not a readable checkpoint"):
        load_checkpoint(broken)


def test_random_bytes(tmp_path):
    path = tmp_path / "noise.pt"
    path.write_bytes(os.urandom(4096))
    with pytest.raises(CheckpointError, match="not a readable checkpoint"):
        load_checkpoint(path)


def test_missing_file(tmp_path):
    with pytest.raises(CheckpointError, match="no such checkpoint file"):
        load_checkpoint(tmp_path / "nothing.pt")


class _RunsCode:
    """Unpickling this object would create a file: proof that code ran."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (open, (str(self.marker), "w"))


def test_pickled_code_is_refused_and_never_runs(tmp_path):
    marker = tmp_path / "pwned"
    path = tmp_path / "evil.pt"
    torch.save({"format": "fmgen-checkpoint", "payload": _RunsCode(marker)}, path)
    assert not marker.exists()
    with pytest.raises(CheckpointError, match="refused: it contains Python objects"):
        load_checkpoint(path)
    assert not marker.exists()
    assert pickle.loads(pickle.dumps(_RunsCode(marker))) and marker.exists()  # the trap is real


def test_foreign_dict_is_not_an_fmgen_checkpoint(tmp_path):
    path = tmp_path / "other.pt"
    torch.save({"state_dict": {"w": torch.zeros(2)}}, path)
    with pytest.raises(CheckpointError, match="not an fmgen checkpoint"):
        load_checkpoint(path)


def test_newer_format_version(vae_checkpoint, tmp_path):
    raw = torch.load(vae_checkpoint, weights_only=True)
    raw["format_version"] = FORMAT_VERSION + 1
    path = tmp_path / "future.pt"
    torch.save(raw, path)
    with pytest.raises(CheckpointError, match="written by a newer fmgen"):
        load_checkpoint(path)


def test_every_older_format_version_loads(vae_checkpoint, tmp_path):
    raw = torch.load(vae_checkpoint, weights_only=True)
    for version in range(1, FORMAT_VERSION):
        raw["format_version"] = version
        path = tmp_path / f"format{version}.pt"
        torch.save(raw, path)
        assert load_checkpoint(path).config.model == "vae"


def test_a_checkpoint_of_an_old_run_with_a_limit_above_the_training_split_loads(
    vae_checkpoint, tmp_path
):
    raw = torch.load(vae_checkpoint, weights_only=True)
    raw["config"]["limit"] = 70_000  # accepted, meaning all the images, before limit's range
    path = tmp_path / "old-limit.pt"
    torch.save(raw, path)
    assert load_checkpoint(path).config.limit is None


def test_other_model_type_is_refused(vae_checkpoint):
    with pytest.raises(CheckpointError, match="holds a VAE, but a GAN is needed"):
        load_checkpoint(vae_checkpoint, expect_model="gan")


def test_other_latent_size_does_not_fit(vae_checkpoint):
    checkpoint = load_checkpoint(vae_checkpoint)
    learner = make_learner(checkpoint.config.replace(latent_dim=5), torch.device("cpu"))
    with pytest.raises(CheckpointError, match="do not fit a VAE with latent size 5"):
        learner.load_state_dict(checkpoint.state)


def test_damaged_config_inside(vae_checkpoint, tmp_path):
    raw = torch.load(vae_checkpoint, weights_only=True)
    raw["config"]["epochs"] = -1
    path = tmp_path / "bad-config.pt"
    torch.save(raw, path)
    with pytest.raises(CheckpointError, match="damaged fmgen checkpoint"):
        load_checkpoint(path)


def test_a_failed_write_keeps_the_previous_checkpoint(vae_checkpoint, tmp_path, monkeypatch):
    target = tmp_path / "checkpoint.pt"
    target.write_bytes(vae_checkpoint.read_bytes())
    checkpoint = load_checkpoint(target)

    def disk_full(obj, f, *args, **kwargs):
        f.write(b"partial")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(torch, "save", disk_full)
    with pytest.raises(OSError, match=f"Disk full: {target} could not be written"):
        save_checkpoint(target, checkpoint)
    assert load_checkpoint(target).step == checkpoint.step
    assert sorted(p.name for p in tmp_path.iterdir()) == ["checkpoint.pt"]  # no temp file left


def test_a_checkpoint_from_another_device_loads_with_a_fresh_stream(vae_checkpoint):
    """A CUDA generator's 16-byte state must not stop a CPU load (the app loads on the CPU)."""
    checkpoint = load_checkpoint(vae_checkpoint)
    state = {**checkpoint.state, "rng": torch.zeros(16, dtype=torch.uint8), "rng_device": "cuda"}
    learner = make_learner(checkpoint.config, torch.device("cpu"))
    learner.load_state_dict(state)
    assert torch.equal(
        learner.model.decoder[0].weight, checkpoint.state["model"]["decoder.0.weight"]
    )
    assert torch.isfinite(learner.model.sample(torch.randn(2, 3))).all()
