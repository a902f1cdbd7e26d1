"""The training loop's faults: NaN losses, out of memory (GPU and CPU), unexpected errors and
an unusable device end the run with a clear RunFailed event and keep the last good checkpoint."""

from __future__ import annotations

import pytest
import torch

from tests.runs import run_all, tiny_config
from trainer.common.events import RunFailed
from trainer.learners import VAELearner
from trainer.learners import learner_class as resolve_learner
from trainer.registry import get_model
from trainer.runs.checkpoint import load_checkpoint

# The flow goes through the NaN test with a small network.
pytestmark = pytest.mark.usefixtures("small_networks")


@pytest.mark.parametrize("model", ["vae", "flow"])
def test_nan_stops_with_the_step_and_keeps_the_last_good_checkpoint(
    tiny_data, tmp_path, monkeypatch, model
):
    learner_class = resolve_learner(get_model(model))
    real_step = learner_class.train_step
    first_metric = get_model(model).step_metrics[0]

    def poisoned(self, images, labels=None):
        losses = real_step(self, images, labels)
        if self.poison_at == 0:
            with torch.no_grad():  # the weights go bad too, as in a real divergence
                next(self.model.parameters()).fill_(float("nan"))
            losses[first_metric] = float("nan")
        self.poison_at -= 1
        return losses

    monkeypatch.setattr(learner_class, "train_step", poisoned)
    monkeypatch.setattr(learner_class, "poison_at", 9, raising=False)  # step 10, in epoch 2
    events = run_all(tiny_config(model, epochs=3), tiny_data, tmp_path / "run")
    failed = events[-1]
    assert isinstance(failed, RunFailed) and failed.kind == "nan" and failed.step == 10
    assert f"non-finite loss ({first_metric}=nan) at step 10, epoch 2" in failed.message
    assert "checkpoint of epoch 1" in failed.message
    checkpoint = load_checkpoint(tmp_path / "run")
    assert (checkpoint.epoch, checkpoint.step) == (1, 7)
    assert all(torch.isfinite(t).all() for t in checkpoint.state["model"].values())


def test_out_of_memory_becomes_a_clear_message(tiny_data, tmp_path, monkeypatch):
    def no_memory(self, images, labels=None):
        raise torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB")

    monkeypatch.setattr(VAELearner, "train_step", no_memory)
    failed = run_all(tiny_config(), tiny_data, tmp_path / "run")[-1]
    assert isinstance(failed, RunFailed) and failed.kind == "oom"
    assert failed.message.startswith("Out of memory at step 0. Try a smaller batch size")


def test_cpu_out_of_memory_is_out_of_memory_and_no_checkpoint_is_claimed(
    tiny_data, tmp_path, monkeypatch
):
    """PyTorch's CPU allocator raises a RuntimeError, not OutOfMemoryError."""

    def too_big(self, images, labels=None):
        return {"loss": float(torch.empty(2**60, dtype=torch.uint8).sum())}

    monkeypatch.setattr(VAELearner, "train_step", too_big)
    failed = run_all(tiny_config(), tiny_data, tmp_path / "run")[-1]
    assert isinstance(failed, RunFailed) and failed.kind == "oom", failed.message
    assert failed.message.startswith("Out of memory at step 0. Try a smaller batch size")
    assert "closing other programs" in failed.message
    assert failed.message.endswith("No checkpoint had been written yet.")
    assert not (tmp_path / "run" / "checkpoint.pt").exists()


def test_out_of_memory_after_a_checkpoint_says_it_is_kept(tiny_data, tmp_path, monkeypatch):
    real_step = VAELearner.train_step

    def fails_in_epoch_2(self, images, labels=None):
        self.calls = getattr(self, "calls", 0) + 1
        if self.calls == 10:
            raise torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB")
        return real_step(self, images, labels)

    monkeypatch.setattr(VAELearner, "train_step", fails_in_epoch_2)
    failed = run_all(tiny_config(epochs=3), tiny_data, tmp_path / "run")[-1]
    assert failed.kind == "oom" and "or the CPU." in failed.message
    checkpoint = tmp_path / "run" / "checkpoint.pt"
    assert failed.message.endswith(f"The run's last checkpoint ({checkpoint}) is kept.")
    assert load_checkpoint(checkpoint).epoch == 1


def test_unexpected_errors_become_events_with_a_traceback(tiny_data, tmp_path, monkeypatch):
    def broken(self, images, labels=None):
        raise ZeroDivisionError("boom")

    monkeypatch.setattr(VAELearner, "train_step", broken)
    failed = run_all(tiny_config(), tiny_data, tmp_path / "run")[-1]
    assert failed.kind == "internal" and "ZeroDivisionError: boom" in failed.message
    assert "Traceback" in failed.details


def test_unusable_device_fails_cleanly(tiny_data, tmp_path, monkeypatch):
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 0)
    failed = run_all(tiny_config(device="cuda:1"), tiny_data, tmp_path / "run")[-1]
    assert failed.kind == "config" and "no CUDA GPU is usable here" in failed.message
    assert not (tmp_path / "run").exists()  # a start that failed leaves no run folder
