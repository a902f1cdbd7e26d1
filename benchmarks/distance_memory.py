"""Memory that the k-NN metrics (precision, recall, density, coverage) hold at their peak, by
the rows of the distance matrix computed at once (trainer.metrics.distribution.CHUNK).

Each chunk size runs in a fresh process on 10,000 "test" and 2,000 "sample" features of the
classifier's width (128), drawn from a seeded normal: the metrics' memory depends on the sizes,
not on the values. A thread samples the process's resident memory every millisecond; the
figure is the peak above the memory before the call. glibc keeps freed blocks below its
adaptive threshold for reuse, which would hide what a chunk holds; the children run with
MALLOC_MMAP_THRESHOLD_=65536, so a large block is returned when it is freed and the peak is
what was alive at once. Resident memory does not depend on the machine's load; the seconds do.

    python benchmarks/distance_memory.py [--quick]
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.common import Figure, run_benchmark  # noqa: E402

CHILD_ENV = "FMGEN_BENCH_DISTANCE_CHUNK"
CHUNKS = (2048, 512, 256, 128)


def resident_mb() -> int:
    """This process's resident memory now (VmRSS, MB)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) // 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


def measure(chunk: int) -> None:
    """In a child: print the peak memory above the start and the seconds of the metrics."""
    import torch

    from trainer.metrics import distribution

    generator = torch.Generator().manual_seed(0)
    real = torch.randn(10_000, 128, generator=generator)
    fake = torch.randn(2_000, 128, generator=generator)
    base, peak, done = resident_mb(), [0], threading.Event()

    def watch() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], resident_mb())
            time.sleep(0.001)

    watcher = threading.Thread(target=watch)
    watcher.start()
    started = time.perf_counter()
    distribution.manifold_metrics(real, fake, k=3, chunk=chunk)
    seconds = time.perf_counter() - started
    done.set()
    watcher.join()
    print(f"{peak[0] - base} {seconds:.2f}")


def run(quick: bool) -> list[Figure]:
    figures = []
    for chunk in CHUNKS[::2] if quick else CHUNKS:
        env = {**os.environ, CHILD_ENV: str(chunk), "MALLOC_MMAP_THRESHOLD_": "65536"}
        out = subprocess.run(
            [sys.executable, __file__], env=env, capture_output=True, text=True, check=True
        ).stdout.split()
        mark = " (fmgen's)" if chunk == _fmgen_chunk() else ""
        figures.append(
            Figure(
                "distance_memory",
                f"k-NN metrics, 10,000 x 2,000, {chunk} rows at once{mark}",
                f"+{out[0]} MB at the peak, {out[1]} s",
            )
        )
    return figures


def _fmgen_chunk() -> int:
    from trainer.metrics.distribution import CHUNK

    return CHUNK


if __name__ == "__main__":
    if CHILD_ENV in os.environ:
        measure(int(os.environ[CHILD_ENV]))
    else:
        run_benchmark(run)
