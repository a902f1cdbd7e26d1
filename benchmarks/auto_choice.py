"""How reliably `auto` picks the faster precision: the probe of each model, run again and again.

Each run measures afresh (its own empty cache), as a first run on a new machine would: the
model's own training step in fp32 and in bf16, alternating until stable (precision_probe).
With --load, a busy loop keeps one core loaded all along, as the issue's target asks; the
machine's load average before and after is printed either way.

    python benchmarks/auto_choice.py [--runs 10] [--models vae,gan,ddpm] [--load]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import machine
from trainer.config.device import configure_cpu_threads
from trainer.config.precision import Precision, resolve_precision
from trainer.config.settings import default_config
from trainer.data.fashion_mnist import FashionMNIST, load_fashion_mnist
from trainer.learners.precision_trial import learner_probe

CPU = torch.device("cpu")
BUSY_LOOP = "while True: pass"


def choose(data: FashionMNIST, model: str) -> tuple[Precision, float]:
    """auto's choice for `model`'s default learner, measured afresh; and its seconds."""
    config = default_config(model, device="cpu")
    batch = slice(0, config.batch_size)
    probe = learner_probe(config, CPU, data.train.images[batch], data.train.labels[batch])
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as cache:
        os.environ["FMGEN_CACHE_DIR"] = cache
        chosen = resolve_precision("auto", CPU, probe)
    return chosen, time.perf_counter() - started


def line(model: str, run: int, chosen: Precision, seconds: float) -> str:
    """One run's choice and evidence."""
    m = chosen.evidence
    if m is None:
        return f"{model} run {run}: {chosen.mode} without a probe ({chosen.reason})"
    return (
        f"{model} run {run}: {chosen.mode}  ratio {m.ratio:.2f}  spread {100 * m.spread:.0f}%  "
        f"rounds {m.rounds}  stable {m.stable}  fp32 {m.fp32_ms:.0f} ms  bf16 {m.low_ms:.0f} ms  "
        f"probe {seconds:.1f} s"
    )


def main() -> None:
    """Run the probes and print each choice, then the counts per model."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=10, help="probes per model (10)")
    parser.add_argument("--models", default="vae,gan,ddpm", help="models (vae,gan,ddpm)")
    parser.add_argument("--load", action="store_true", help="keep one core busy meanwhile")
    args = parser.parse_args()
    configure_cpu_threads()
    data = load_fashion_mnist(download=False)
    print(machine())
    print(f"load average before: {os.getloadavg()}")
    busy = subprocess.Popen([sys.executable, "-c", BUSY_LOOP]) if args.load else None
    try:
        counts: dict[str, Counter] = {}
        for model in args.models.split(","):
            counts[model] = Counter()
            for run in range(1, args.runs + 1):
                chosen, seconds = choose(data, model)
                counts[model][chosen.mode] += 1
                print(line(model, run, chosen, seconds), flush=True)
    finally:
        if busy is not None:
            busy.kill()
    print(f"load average after: {os.getloadavg()}")
    for model, count in counts.items():
        print(f"{model}: " + ", ".join(f"{mode} {n}/{args.runs}" for mode, n in count.items()))


if __name__ == "__main__":
    main()
