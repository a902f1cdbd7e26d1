"""Milliseconds per generated sample of every registered model, on one device and batch size.

    python benchmarks/sampling_cost.py [--quick] [--json] [--device cpu] [--batch 16]

Each model samples through its learner's `sample_images` (its default sampler: one pass for
the VAE, GAN and flow, 50 DDIM steps for the DDPM, as the registry's `sample_cost` says); a
learner that offers other samplers (`samplers()`, e.g. the DDPM's 1000-step ancestral chain
and DDIM in 10 steps) has each of them timed too. Untrained default networks: the cost of a
sample does not depend on the weights.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import Figure, benchmark_parser, report
from trainer.config.device import resolve_device
from trainer.config.settings import default_config
from trainer.learners import Learner, make_learner
from trainer.registry import ModelSpec, all_models


def ms_per_sample(
    generate: Callable[[], object], batch: int, device, seconds: float, warm_up: bool = True
) -> float:
    """Median milliseconds per sample of `generate` (one batch), over rounds filling `seconds`.

    One warm-up call first (if asked); a call slower than `seconds` is measured once.
    """
    if warm_up:
        generate()
    times: list[float] = []
    started = time.perf_counter()
    while not times or time.perf_counter() - started < seconds:
        begin = time.perf_counter()
        generate()
        if device.type == "cuda":
            torch.cuda.synchronize(device)
        times.append(time.perf_counter() - begin)
    return 1000 * statistics.median(times) / batch


def _whole_chain(learner: Learner, z: torch.Tensor, sampler: object) -> None:
    for _ in learner.chain(z, sampler):
        pass


def model_figures(spec: ModelSpec, device, batch: int, seconds: float) -> list[Figure]:
    """The default sampler's cost, and each further sampler the learner offers."""
    learner: Learner = make_learner(default_config(spec.name, device=str(device)), device)
    generator = torch.Generator(device=device).manual_seed(0)
    z = torch.randn(batch, learner.config.latent_dim, generator=generator, device=device)
    labels = (torch.arange(batch, device=device) % 10) if spec.conditional else None
    learner.model.eval()
    rows = []
    with torch.no_grad():
        cost = ms_per_sample(lambda: learner.sample_images(z, labels), batch, device, seconds)
        what = f"{spec.label} ms/sample, default sampler ({spec.sample_cost} network passes)"
        rows.append(Figure("sampling", what, f"{cost:.2f}"))
        for name, sampler in getattr(learner, "samplers", dict)().items():
            chain = partial(_whole_chain, learner, z, sampler)
            # the default sampler's calls warmed the network up: a 1000-step chain needs no more
            cost = ms_per_sample(chain, batch, device, seconds, warm_up=False)
            rows.append(Figure("sampling", f"{spec.label} ms/sample, {name}", f"{cost:.2f}"))
    return rows


def run(quick: bool, device_name: str = "cpu", batch: int = 16) -> list[Figure]:
    """Every registered model's figures, and the settings they were measured with."""
    device = resolve_device(device_name)
    batch = 4 if quick else batch
    seconds = 1.0 if quick else 5.0
    figures = [Figure("sampling", "device, batch size", f"{device}, {batch}")]
    for spec in all_models():
        figures += model_figures(spec, device, batch, seconds)
    return figures


def main() -> None:
    """The command line: --quick, --json, the device and the batch size."""
    parser = benchmark_parser()
    parser.add_argument("--device", default="cpu", help="cpu, cuda, cuda:N, mps or auto")
    parser.add_argument("--batch", type=int, default=16, help="samples per call")
    args = parser.parse_args()
    report(run(args.quick, args.device, args.batch), args.json)


if __name__ == "__main__":
    main()
