"""DPM-Solver++(2M) against DDIM-50 on one trained DDPM: FID in fmgen's classifier space and
milliseconds per sample, with the same model, seed and noise for every sampler.

    python benchmarks/dpm_solver.py --run RUN [--samples 1000] [--steps 10 15 20]

The samplers take turns on each batch (the order rotating), so a load that comes and goes on
a shared machine falls on all of them alike. FID is against the 10,000 test images, as
fmgen-evaluate computes it. The ODE error of each sampler (the RMS distance of its images to
DPM-Solver++(2M) in its most steps, on the first `--reference` noises) compares the lambda
spacing that DPMSolverSampler uses with spacing evenly in t.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import machine
from trainer.common.pixels import signed_to_unit, to_unit
from trainer.data.fashion_mnist import load_fashion_mnist
from trainer.learners.ddpm import DDPMLearner
from trainer.metrics.classifier import load_or_train_classifier
from trainer.metrics.distribution import describe, frechet_distance
from trainer.models.samplers import Sampler
from trainer.runs.loading import load_learner

BATCH = 50
REPORT_EVERY = 50  # noises between interim scores
REFERENCE_STEPS = 38  # the most steps of DPMSolverSampler's lambda spacing (T = 1000)


def final_images(learner: DDPMLearner, z: torch.Tensor, sampler: Sampler) -> torch.Tensor:
    """x_0 in [0, 1] of noise z by `sampler`."""
    for output in learner.chain(z, sampler):
        x = output.prev_sample
    return signed_to_unit(x)


def offered(learner: DDPMLearner, steps: list[int]) -> dict[str, Sampler]:
    """DDIM-50 (today's default) and DPM-Solver++(2M) at each of `steps`."""
    samplers: dict[str, Sampler] = {"DDIM, 50 steps": learner.ddim(50)}
    for count in steps:
        samplers[f"DPM-Solver++(2M), {count} steps"] = learner.dpm_solver(count)
    return samplers


def time_uniform(learner: DDPMLearner, steps: int) -> Sampler:
    """DPM-Solver++(2M) at `steps` timesteps evenly spaced in t (T-1 down to 0)."""
    sampler = learner.dpm_solver(steps)
    sampler.timesteps = torch.linspace(learner.model.schedule.steps - 1, 0, steps).round().long()
    return sampler


def sample_all(
    learner: DDPMLearner,
    samplers: dict[str, Sampler],
    z: torch.Tensor,
    score: Callable[[dict[str, torch.Tensor], dict[str, float], int], None],
) -> None:
    """Every sampler's images of all of z, taking turns batch by batch (the order rotating),
    scored with what is made so far after each `REPORT_EVERY` noises (a run cut short on a
    loaded machine still leaves its figures)."""
    names = list(samplers)
    images: dict[str, list[torch.Tensor]] = {name: [] for name in names}
    seconds = dict.fromkeys(names, 0.0)
    for number, start in enumerate(range(0, len(z), BATCH)):
        batch = z[start : start + BATCH]
        for name in names[number % len(names) :] + names[: number % len(names)]:
            started = time.perf_counter()
            images[name].append(final_images(learner, batch, samplers[name]))
            seconds[name] += time.perf_counter() - started
        done = start + len(batch)
        if done % REPORT_EVERY == 0 or done == len(z):
            score({name: torch.cat(parts) for name, parts in images.items()}, seconds, done)


def ode_errors(learner: DDPMLearner, z: torch.Tensor, steps: list[int]) -> None:
    """Print each spacing's RMS distance (in [0, 1] pixels) to the reference solution."""
    reference = final_images(learner, z, learner.dpm_solver(REFERENCE_STEPS))
    ddim = final_images(learner, z, learner.ddim(50))
    print(f"ODE error (RMS to DPM-Solver++(2M) in {REFERENCE_STEPS} lambda steps), {len(z)} noises")
    print(f"  DDIM, 50 steps: {(ddim - reference).pow(2).mean().sqrt():.4f}")
    for count in steps:
        spaced = final_images(learner, z, learner.dpm_solver(count))
        even = final_images(learner, z, time_uniform(learner, count))
        print(
            f"  DPM-Solver++(2M), {count} steps: lambda spacing "
            f"{(spaced - reference).pow(2).mean().sqrt():.4f}, "
            f"t spacing {(even - reference).pow(2).mean().sqrt():.4f}"
        )


def main() -> None:
    """Parse the command line, measure, print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--run", required=True, help="a DDPM run folder or checkpoint")
    parser.add_argument("--samples", type=int, default=1000)
    parser.add_argument("--steps", type=int, nargs="+", default=[10, 15, 20])
    parser.add_argument(
        "--reference", type=int, default=32, help="noises of the ODE error (0: none)"
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--data-dir", default=None)
    args = parser.parse_args()
    print(machine())
    learner, _ = load_learner(args.run, "ddpm")
    data = load_fashion_mnist(args.data_dir)
    classifier, info = load_or_train_classifier(data)
    # a cached stand-in (a test's untrained classifier) makes every FID meaningless: say which
    print(f"classifier: test accuracy {info.accuracy:.3f} after {info.epochs} epochs")
    real = describe(classifier, to_unit(data.test.images))
    z = torch.randn(args.samples, 784, generator=torch.Generator().manual_seed(args.seed))

    def score(images: dict[str, torch.Tensor], seconds: dict[str, float], count: int) -> None:
        print(f"{count} samples each, seed {args.seed}, batches of {BATCH}; FID vs test set")
        for name, made in images.items():
            fid = frechet_distance(real.features, describe(classifier, made).features)
            print(f"  {name}: FID {fid:.2f}, {1000 * seconds[name] / count:.1f} ms per sample")
        sys.stdout.flush()

    with learner.evaluating():
        if args.reference:
            ode_errors(learner, z[: args.reference], args.steps)
        sample_all(learner, offered(learner, args.steps), z, score)


if __name__ == "__main__":
    main()
