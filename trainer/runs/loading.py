"""Load a trained run for reading (the evaluation, the explorer, fmgen-sample): its newest
immutable snapshot, as a learner on the device it should be read on."""

from __future__ import annotations

from pathlib import Path

import torch

from trainer.common.errors import CheckpointError
from trainer.config.device import configure_cpu_threads, resolve_device
from trainer.learners import Learner, make_learner
from trainer.runs.checkpoint import Checkpoint, load_checkpoint
from trainer.runs.snapshots import reader_path

CPU = torch.device("cpu")


def evaluation_device(checkpoint: Checkpoint, choice: str) -> torch.device:
    """Where to evaluate a run: `choice` ('cpu', 'cuda', 'cuda:N'), or for 'auto' the GPU it
    trained on when this machine has CUDA (sampling a diffusion model takes minutes on a CPU),
    else the CPU."""
    if choice != "auto":
        return resolve_device(choice)
    trained_on_gpu = checkpoint.state.get("rng_device") == "cuda"
    return resolve_device("cuda") if trained_on_gpu and torch.cuda.is_available() else CPU


def load_learner(
    run_dir: Path | str, kind: str | None = None, device: str = "cpu"
) -> tuple[Learner, Checkpoint]:
    """A learner of the run's model (`kind`: refuse others) from its newest epoch snapshot, on
    `device` (see evaluation_device; the app's explorer keeps the CPU).

    The snapshot (trainer.runs.snapshots) never changes, so a run still training cannot mix epochs.
    """
    checkpoint = load_checkpoint(reader_path(run_dir), expect_model=kind)
    place = evaluation_device(checkpoint, device)
    if place.type == "cpu":  # as training does: torch's default thread per core made an opened
        configure_cpu_threads()  # DDPM sample 10-20x slower on a busy machine (trial defect 3)
    learner = make_learner(checkpoint.config.replace(device=str(place)), place)
    try:
        learner.load_state_dict(checkpoint.state)
    except CheckpointError as exc:  # the learner's message does not know the file
        raise CheckpointError(f"{checkpoint.path}: {exc}") from exc
    learner.model.eval()
    return learner, checkpoint
