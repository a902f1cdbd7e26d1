"""The domain-adaptation target of issue 26: CycleGAN between Fashion-MNIST and its shifted copy
(`--domains`, default inverted), trained through the real loop until a CPU budget is spent,
then the fmgen classifier's accuracy on the shifted test images before and after translating
them back with F, and on the originals (the ceiling).

CPU time is this process's (resource.getrusage, user + system) from the start of training,
divided by its torch thread count; wall time is stated too. `--wall-minutes` also stops the run
(the machine is shared: a budget of CPU time can take far longer on the clock).

Run: FMGEN_THREADS=2 nice -n 10 .venv/bin/python -m benchmarks.cyclegan_shift --out DIR
"""

from __future__ import annotations

import argparse
import resource
import threading
import time
from pathlib import Path

import torch

from benchmarks.common import machine
from trainer.common.events import RunFailed, RunFinished, RunStopped, StepLogged
from trainer.config.settings import default_config
from trainer.data.fashion_mnist import load_fashion_mnist
from trainer.evaluation.translation import translation_metrics
from trainer.learners import make_learner
from trainer.metrics.classifier import load_or_train_classifier
from trainer.runs.checkpoint import load_checkpoint
from trainer.training.loop import train


def cpu_seconds() -> float:
    """User + system CPU time of this process so far."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    """Train until the budget, evaluate, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--domains", default="inverted")
    parser.add_argument("--cpu-minutes", type=float, default=30.0)
    parser.add_argument("--wall-minutes", type=float, default=60.0)
    parser.add_argument("--limit", type=int, default=None)
    args = parser.parse_args()
    print(f"machine: {machine()}")
    data = load_fashion_mnist(limit=args.limit)
    config = default_config(
        "cyclegan", domains=args.domains, epochs=100, precision="fp32", limit=args.limit
    )
    stop = threading.Event()
    cpu0, wall0 = cpu_seconds(), time.perf_counter()
    for event in train(config, data, args.out, stop):
        threads = torch.get_num_threads()  # as the loop set it (FMGEN_THREADS)
        spent = (cpu_seconds() - cpu0) / threads
        wall = time.perf_counter() - wall0
        if isinstance(event, StepLogged):
            losses = " ".join(f"{key} {value:.4g}" for key, value in event.losses.items())
            print(f"step {event.step} cpu {spent:.0f} s wall {wall:.0f} s {losses}", flush=True)
        if spent >= args.cpu_minutes * 60 or wall >= args.wall_minutes * 60:
            stop.set()
        if isinstance(event, (RunStopped, RunFinished, RunFailed)):
            print(f"end: {event}")
            break
    print(
        f"training: {event.step} steps of {config.batch_size} rows, CPU time / {threads} "
        f"threads {spent / 60:.1f} min, wall {wall / 60:.1f} min"
    )
    checkpoint = load_checkpoint(Path(args.out) / "checkpoint.pt")
    learner = make_learner(checkpoint.config, torch.device("cpu"))
    learner.load_state_dict(checkpoint.state)
    classifier, info = load_or_train_classifier(data)  # after training: its CPU is not counted
    print(f"classifier: test accuracy {info.accuracy:.4f} ({info.epochs} epochs)")
    metrics = translation_metrics(learner, data.test, classifier)
    for key, value in metrics.items():
        print(f"{key}: {value:.4f}")


if __name__ == "__main__":
    main()
