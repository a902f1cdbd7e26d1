"""What fmgen-train prints: counts in words a reader reads one way, settings the model has."""

from __future__ import annotations

import io

from trainer.common.events import RunFinished, RunStarted
from trainer.config.settings import default_config
from trainer.training.console import ConsoleReporter


def started(model: str, epochs: int, steps_per_epoch: int) -> RunStarted:
    config = default_config(model, epochs=epochs).to_dict()
    return RunStarted(
        "runs/x", config, "cpu", "fp32", "asked for", "test data", 200, 100, 0, 0,
        steps_per_epoch, epochs * steps_per_epoch,
    )  # fmt: skip


def printed(*events) -> str:
    stream = io.StringIO()
    reporter = ConsoleReporter(stream, tty=False)
    for event in events:
        reporter.show(event)
    return stream.getvalue()


def test_one_epoch_and_one_step_are_singular():
    text = printed(started("vae", 1, 1), RunFinished("runs/x", 1, 1))
    assert "VAE latent 32, 1 epoch of 1 step on cpu" in text
    assert "finished 1 epoch (1 step);" in text
    text = printed(started("gan", 2, 47), RunFinished("runs/x", 2, 94))
    assert "2 epochs of 47 steps" in text and "finished 2 epochs (94 steps);" in text


def test_a_model_without_a_latent_size_option_prints_none():
    assert "Flow, 1 epoch" in printed(started("flow", 1, 3))
