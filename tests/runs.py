"""A tiny finished run folder made by fmgen-train, for tests that need a trained model."""

from __future__ import annotations

from pathlib import Path

from trainer.cli import main as train_cli


def tiny_run(model: str, data_dir: Path, out: Path, *extra: str, epochs: int = 1) -> Path:
    """Train `model` (latent 4, batches of 25) on the tiny data into a new folder under `out`."""
    args = ["--model", model, "--epochs", str(epochs), "--batch-size", "25", "--latent-dim", "4"]
    args += ["--data-dir", str(data_dir), "--out", str(out), *extra]
    if "--device" not in extra:
        args += ["--device", "cpu"]
    assert train_cli(args) == 0
    (folder,) = Path(out).iterdir()
    return folder
