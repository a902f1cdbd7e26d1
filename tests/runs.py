"""Tiny finished run folders made by fmgen-train (and a sweep's), for tests that need them."""

from __future__ import annotations

from pathlib import Path

from trainer.cli.sweep_jobs import PointResult, SweepResult, expand, point_command, write_sweep
from trainer.cli.train import main as train_cli
from trainer.common.events import Event
from trainer.config.settings import RunConfig, default_config
from trainer.data.fashion_mnist import FashionMNIST
from trainer.registry import get_model
from trainer.training.loop import train

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
    "trainer.learners.rbm.AIS_STEPS": 20,
    "trainer.learners.rbm.SAMPLE_STEPS": 5,
}


def small_latent(model: str) -> dict[str, int]:
    """A latent size of 4 where it is an option of `model` (a flow's latent is the image)."""
    return {"latent_dim": 4} if "latent_dim" in get_model(model).options else {}


def _tiny_args(model: str, data_dir: Path, epochs: int, extra: tuple[str, ...]) -> list[str]:
    """Batches of 25, latent 4 where it is an option of `model`, the tiny data, on the CPU
    unless `extra` names a device."""
    args = ["--epochs", str(epochs), "--batch-size", "25"]
    args += [f"--latent-dim={size}" for size in small_latent(model).values()]
    args += ["--data-dir", str(data_dir), *extra]
    return args if "--device" in extra else [*args, "--device", "cpu"]


def tiny_run(model: str, data_dir: Path, out: Path, *extra: str, epochs: int = 1) -> Path:
    """Train `model` (batches of 25, latent 4 where it is an option) on the tiny data into a
    new folder under `out`."""
    args = ["--model", model, *_tiny_args(model, data_dir, epochs, extra), "--out", str(out)]
    assert train_cli(args) == 0
    (folder,) = Path(out).iterdir()
    return folder


def tiny_sweep(
    model: str, data_dir: Path, out: Path, grid: dict[str, list[str]], epochs: int = 1
) -> list[Path]:
    """A sweep folder as fmgen-sweep leaves it (a run per grid point, sweep.json), trained here
    one point after another with the arguments fmgen-sweep gives each point."""
    train_args = _tiny_args(model, data_dir, epochs, ())
    result = SweepResult(model, grid, train_args, "local")
    for point in expand(grid):
        argv, _ = point_command(point, model, train_args, out)
        assert train_cli(argv) == 0
        run_dir = str(out / point.name)
        result.points.append(PointResult(point.name, dict(point.options), run_dir, "finished"))
    write_sweep(result, out)
    return [Path(p.run_dir) for p in result.points]


def tiny_config(model: str = "vae", **changes) -> RunConfig:
    """Two epochs of batches of 32 on the CPU, a latent of 4 where that is an option."""
    values = {"epochs": 2, "batch_size": 32, "log_every": 2, "device": "cpu", **small_latent(model)}
    return default_config(model, **{**values, **changes})


def run_all(config: RunConfig, data: FashionMNIST, run_dir: Path, **kwargs) -> list[Event]:
    """Every event of a training run, to its end."""
    return list(train(config, data, run_dir, **kwargs))
