"""A tiny finished run folder made by fmgen-train, for tests that need a trained model."""

from __future__ import annotations

from pathlib import Path

from trainer.cli import main as train_cli
from trainer.registry import get_model

# Flow and DDPM networks of a few thousand parameters, a 20-image bound and 3-step grids (the
# `small_networks` fixture sets them), so runs of them are quick.
SMALL_NETWORKS = {
    "trainer.learners.flow.ARCHITECTURE": {
        "widths": (8, 8, 8),
        "blocks": 1,
        "couplings": 2,
        "final_couplings": 2,
    },
    "trainer.learners.ddpm.ARCHITECTURE": {"channels": 4, "multipliers": (1, 1, 1), "blocks": 1},
    "trainer.learners.ddpm.BOUND_IMAGES": 20,
    "trainer.learners.ddpm.GRID_STEPS": 3,
}


def small_latent(model: str) -> dict[str, int]:
    """A latent size of 4 where it is an option of `model` (a flow's latent is the image)."""
    return {"latent_dim": 4} if "latent_dim" in get_model(model).options else {}


def tiny_run(model: str, data_dir: Path, out: Path, *extra: str, epochs: int = 1) -> Path:
    """Train `model` (batches of 25, latent 4 where it is an option) on the tiny data into a
    new folder under `out`."""
    args = ["--model", model, "--epochs", str(epochs), "--batch-size", "25"]
    args += [f"--latent-dim={size}" for size in small_latent(model).values()]
    args += ["--data-dir", str(data_dir), "--out", str(out), *extra]
    if "--device" not in extra:
        args += ["--device", "cpu"]
    assert train_cli(args) == 0
    (folder,) = Path(out).iterdir()
    return folder
