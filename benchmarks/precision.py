"""Mixed precision on the CPU: what `auto` chooses, its training speed, and quality at equal time.

Every registered model trains in fp32 and in the precision `auto` picks here, in alternating
rounds so both see the same machine; then two default VAEs, one per precision, train in
alternating slices of step time and are scored by the same fp32 test -ELBO at each budget.
On a CPU without fast bf16 `auto` picks fp32, and both columns measure the same thing.

    python benchmarks/precision.py [--quick] [--seconds S] [--rounds N] [--budgets 45,120]
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import Figure, benchmark_parser, median_of, report
from benchmarks.throughput import fmgen_stepper, paired_rates
from trainer.config.device import configure_cpu_threads
from trainer.config.precision import FP32, Precision, resolve_precision
from trainer.config.settings import default_config
from trainer.data.fashion_mnist import FashionMNIST, load_fashion_mnist
from trainer.learners import make_learner
from trainer.learners.precision_trial import learner_probe
from trainer.registry import all_models

CPU = torch.device("cpu")
SLICE_S = 2.0  # step time each VAE trains before the other takes its turn


def speed_figures(data: FashionMNIST, auto: Precision, seconds: float, rounds: int) -> list[Figure]:
    """Images/s of every registered model in fp32 and in `auto`'s choice, alternating."""
    figures = []
    for spec in all_models():
        config = default_config(spec.name, device="cpu")
        steppers = [
            fmgen_stepper(data, learner=make_learner(config, CPU, precision))
            for precision in (FP32, auto)
        ]
        fp32, chosen = (median_of(r) for r in paired_rates(*steppers, seconds, rounds))
        figures.append(
            Figure(
                "precision",
                f"{spec.label} images/s, fp32 / auto ({auto.mode})",
                f"{fp32:.0f} / {chosen:.0f} ({chosen / fp32:.2f}x)",
                "auto >= fp32",
            )
        )
    return figures


def quality_figures(data: FashionMNIST, auto: Precision, budgets: list[float]) -> list[Figure]:
    """The default VAE's test -ELBO after each budget of training time, fp32 against auto.

    The two VAEs take turns of SLICE_S seconds, so a burst of load on the machine falls on
    both rather than on one; each is scored (in fp32) when it has trained for a budget.
    """
    config = default_config("vae", device="cpu")
    learners = [make_learner(config, CPU, precision) for precision in (FP32, auto)]
    steps = [fmgen_stepper(data, learner=learner) for learner in learners]
    spent, scores = [0.0, 0.0], [[], []]
    for budget in budgets:
        while min(spent) < budget:
            for i, step in enumerate(steps):
                spent[i] = train_until(step, spent[i], min(spent[i] + SLICE_S, budget))
        for scored, learner in zip(scores, learners, strict=True):
            scored.append(learner.evaluate(data.test)["neg_elbo"])
    return [
        Figure(
            "precision",
            f"VAE test -ELBO after {budget:.0f} s, fp32 / auto ({auto.mode})",
            f"{fp32:.2f} / {chosen:.2f}",
            "auto <= fp32",
        )
        for budget, fp32, chosen in zip(budgets, *scores, strict=True)
    ]


def train_until(step: Callable[[], int], spent: float, budget: float) -> float:
    """Run `step` until `budget` seconds of steps are spent in all; the new total."""
    while spent < budget:
        started = time.perf_counter()
        step()
        spent += time.perf_counter() - started
    return spent


def run(seconds: float, rounds: int, budgets: list[float]) -> list[Figure]:
    """All figures: the choice, the speeds and the quality at equal time."""
    configure_cpu_threads()
    data = load_fashion_mnist(download=True)
    started = time.perf_counter()
    config = default_config("vae", device="cpu")
    batch = slice(0, config.batch_size)
    probe = learner_probe(config, CPU, data.train.images[batch], data.train.labels[batch])
    auto = resolve_precision("auto", CPU, probe)
    choice = Figure(
        "precision",
        "auto's choice for the VAE on this CPU (probe and decision)",
        f"{auto.mode}: {auto.reason} ({time.perf_counter() - started:.1f} s)",
    )
    return [
        choice,
        *speed_figures(data, auto, seconds, rounds),
        *quality_figures(data, auto, budgets),
    ]


def main() -> None:
    """Parse the durations and print the figures."""
    parser = benchmark_parser()
    parser.add_argument("--seconds", type=float, help="seconds per speed round (10; quick 3)")
    parser.add_argument("--rounds", type=int, help="alternating rounds, at least 2 (3; quick 2)")
    parser.add_argument("--budgets", help="training seconds to score at (45,120; quick 15,30)")
    args = parser.parse_args()
    seconds = args.seconds or (3.0 if args.quick else 10.0)
    rounds = max(2, args.rounds or (2 if args.quick else 3))
    budgets = args.budgets or ("15,30" if args.quick else "45,120")
    report(run(seconds, rounds, [float(b) for b in budgets.split(",")]), args.json)


if __name__ == "__main__":
    main()
