"""A run folder written before trainer/ moved into packages (issue 24) still opens: its
checkpoint loads into a learner, its status and facts read, and training resumes from it.

Checkpoints are saved with torch.save of plain containers and loaded with weights_only=True, so
no module path is stored in them; this test keeps it so (tests/data/README.md says how the
folder was made)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import torch

from tests.runs import train_cli
from tests.toy_model import toy_model  # noqa: F401  (the fixture)
from trainer.runs.checkpoint import load_checkpoint
from trainer.runs.facts import read_run_facts
from trainer.runs.loading import load_learner
from trainer.runs.status import read_status

OLD_RUN = Path(__file__).parents[2] / "data" / "toy-before-layers"
pytestmark = pytest.mark.usefixtures("toy_model")


def _copy(tmp_path: Path) -> Path:
    return Path(shutil.copytree(OLD_RUN, tmp_path / OLD_RUN.name))


def test_the_old_checkpoint_loads_into_a_learner_that_samples(tmp_path):
    folder = _copy(tmp_path)
    learner, checkpoint = load_learner(folder, kind="toy")
    assert (checkpoint.epoch, checkpoint.step) == (2, 16)
    images = learner.sample_images(torch.zeros(3, 4))
    assert images.shape == (3, 1, 28, 28) and torch.isfinite(images).all()


def test_the_old_status_and_facts_read(tmp_path):
    folder = _copy(tmp_path)
    assert read_status(folder).state == "finished"
    facts = read_run_facts(load_checkpoint(folder / "checkpoint.pt"), 1, "old")
    assert (facts.model, facts.epochs_completed, facts.steps_per_epoch) == ("toy", 2, 8)


def test_training_resumes_from_the_old_folder(tiny_data_dir, tmp_path):
    folder = _copy(tmp_path)
    args = ["--resume", str(folder), "--epochs", "3", "--data-dir", str(tiny_data_dir)]
    assert train_cli([*args, "--device", "cpu"]) == 0
    assert load_checkpoint(folder / "checkpoint.pt").epoch == 3
