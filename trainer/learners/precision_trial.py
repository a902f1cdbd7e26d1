"""The precision probe of the model being trained: its own training step in fp32 and in low
precision, on learners of its own so the run's weights and random streams are untouched."""

from __future__ import annotations

import functools

import torch

from trainer.config.precision import FP32, MIN_SPEEDUP, Precision, Probe
from trainer.config.precision_probe import (
    Measurement,
    Timer,
    cached_or_measured,
    measure,
    wall_time,
)
from trainer.config.settings import RunConfig
from trainer.learners.base import Learner
from trainer.learners.resolve import make_learner


def learner_probe(
    config: RunConfig,
    device: torch.device,
    images: torch.Tensor,
    labels: torch.Tensor,
    timer: Timer = wall_time,
) -> Probe:
    """probe(mode): how much faster `config`'s learner steps on this batch in `mode` than in
    fp32 on `device`, cached per model, batch, device and mode (see precision_probe)."""
    return functools.partial(_probe, config, device, images, labels, timer)


def _probe(
    config: RunConfig,
    device: torch.device,
    images: torch.Tensor,
    labels: torch.Tensor,
    timer: Timer,
    mode: str,
) -> Measurement:
    # The probe's learners are seeded copies, and a step may draw from torch's global stream
    # (dropout): fork it so the run draws the same numbers whatever the probe did.
    with torch.random.fork_rng(devices=[device] if device.type == "cuda" else []):
        fp32 = make_learner(config, device, FP32)

        def run() -> Measurement:
            low = make_learner(config, device, Precision(mode, "the precision probe"))
            steps = {
                name: _step(learner, images, labels)
                for name, learner in (("fp32", fp32), (mode, low))
            }
            return measure(steps, MIN_SPEEDUP, timer)

        return cached_or_measured(_key(fp32, len(images), device, mode), run)


def _step(learner: Learner, images: torch.Tensor, labels: torch.Tensor) -> functools.partial:
    return functools.partial(learner.train_step, images, labels)


def _key(learner: Learner, batch: int, device: torch.device, mode: str) -> str:
    """What the measurement depends on besides the machine: the model and its size, the batch,
    the device (a CPU's threads) and the precision."""
    if device.type == "cuda":
        where = f"cuda {torch.cuda.get_device_name(device)}"
    else:
        where = f"{device.type} ({torch.get_num_threads()} threads)"
    size = f"{learner.trained_parameters} weights, batch {batch}"
    return f"{learner.config.model} ({size}) | {where} | {mode}"
