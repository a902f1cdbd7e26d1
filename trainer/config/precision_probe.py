"""How much faster a model trains in bf16/fp16 autocast than in fp32 here: measured until the
answer is stable, and cached only when it is.

A CPU may report bf16 support yet emulate parts of it, and small networks on a GPU can be
bound by kernel launches rather than arithmetic: so `auto` asks a measurement, not a table.
`measure` times two step functions (the caller's: the model's own training step in each
precision) in alternating rounds, each round long enough to average over scheduler noise,
until the per-round ratios of the last few rounds agree (their spread is under MAX_SPREAD) or
the time budget is spent. A single noisy second once decided for good on a loaded machine
(issue 27); now an unstable answer is never cached, and a cached one is ignored after a torch
upgrade, on another CPU (name and instruction flags) or when older than a week. The cache is
precision-probe.json in the user cache folder; delete it to measure again.
"""

from __future__ import annotations

import hashlib
import json
import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass

import torch

from trainer.common.files import atomic_write_text, user_cache_dir
from trainer.config.device import cpu_flags, cpu_model

CACHE_NAME = "precision-probe.json"
ROUND_S = 0.25  # about this long per precision per round (at least one step)
MIN_ROUNDS = 3  # rounds compared before an answer may count as stable
MAX_SPREAD = 0.15  # stable: the last MIN_ROUNDS ratios within 15% of their median, max to min
BUDGET_S = 8.0  # seconds of steps (warm-up included) after which an unstable measurement stops
MAX_AGE_S = 7 * 24 * 3600.0  # a week: a cached answer older than this is measured again

Step = Callable[[], object]
# timer(mode, step): seconds that one call of `step` (a step in precision `mode`) took.
Timer = Callable[[str, Step], float]


@dataclass(frozen=True)
class Measurement:
    """fp32's time per step over the low precision's (`ratio`, the median of the last rounds)
    and how far those rounds' ratios spread (max - min over the median)."""

    ratio: float
    spread: float
    rounds: int
    fp32_ms: float  # median time per fp32 step in the last rounds
    low_ms: float
    stable: bool
    all_faster: bool  # at least MIN_ROUNDS rounds, the low precision min_speedup x fp32 in each
    measured_at: float  # time.time() of the measurement
    source: str = "measured"  # or "cached"

    def record(self) -> dict[str, object]:
        """Plain values for run.json and metrics.jsonl."""
        values: dict[str, object] = {
            k: round(v, 3) if isinstance(v, float) else v for k, v in asdict(self).items()
        }
        values["measured_at"] = _when(self.measured_at)
        return values

    def words(self) -> str:
        """The evidence in plain words: '1.47x as fast as fp32 in 5 rounds, the last 3 within
        4% of each other, measured now'."""
        when = "measured now" if self.source == "measured" else f"cached {_when(self.measured_at)}"
        if self.rounds < MIN_ROUNDS:
            rounds = f"in {self.rounds} round{'s' if self.rounds > 1 else ''}"
        else:
            rounds = (
                f"in {self.rounds} rounds, the last {MIN_ROUNDS} within "
                f"{100 * self.spread:.0f}% of each other"
            )
        return f"{self.ratio:.2f}x as fast as fp32 {rounds}, {when}"


def _when(seconds: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(seconds))


def wall_time(mode: str, step: Step) -> float:
    """Seconds one call of `step` took on the wall clock (its losses are plain floats, so a
    GPU step has finished when it returns)."""
    started = time.perf_counter()
    step()
    return time.perf_counter() - started


def measure(steps: dict[str, Step], min_speedup: float, timer: Timer = wall_time) -> Measurement:
    """Time `steps` ({'fp32': ..., low mode: ...}) in alternating rounds until stable or spent.

    Each round runs the same number of steps of each, in turns (fp32 first in even rounds), so
    a burst of load on the machine falls on both; `min_speedup` is what 'faster' must mean.
    BUDGET_S bounds the timed seconds, warm-up included: on a machine so busy that a few steps
    fill it, the answer stops early, unstable (and so is not cached).
    """
    (low,) = [mode for mode in steps if mode != "fp32"]
    warmup = {mode: timer(mode, step) for mode, step in steps.items()}  # builds the kernels
    # Steps per round from the warm-up (an overestimate, so rounds stay short).
    per_round = max(1, round(ROUND_S / max(warmup.values())))
    times: dict[str, list[float]] = {"fp32": [], low: []}
    spent = sum(warmup.values())
    while True:
        order = ["fp32", low] if len(times["fp32"]) % 2 == 0 else [low, "fp32"]
        for mode in order:
            seconds = sum(timer(mode, steps[mode]) for _ in range(per_round)) / per_round
            times[mode].append(seconds)
            spent += seconds * per_round
        result = _summary(times["fp32"], times[low], min_speedup)
        if result.stable or spent >= BUDGET_S:
            return result


def _summary(fp32: list[float], low: list[float], min_speedup: float) -> Measurement:
    """The ratio and spread of the last MIN_ROUNDS rounds of per-step times (stable only with
    MIN_ROUNDS rounds that agree)."""
    ratios = [a / b for a, b in zip(fp32, low, strict=True)]
    last = ratios[-MIN_ROUNDS:]
    ratio = statistics.median(last)
    spread = (max(last) - min(last)) / ratio
    return Measurement(
        ratio=ratio,
        spread=spread,
        rounds=len(ratios),
        fp32_ms=1000 * statistics.median(fp32[-MIN_ROUNDS:]),
        low_ms=1000 * statistics.median(low[-MIN_ROUNDS:]),
        stable=len(ratios) >= MIN_ROUNDS and spread <= MAX_SPREAD,
        all_faster=len(ratios) >= MIN_ROUNDS and min(ratios) >= min_speedup,
        measured_at=time.time(),
    )


def cached_or_measured(key: str, run: Callable[[], Measurement]) -> Measurement:
    """The valid cached measurement for `key`, or `run()`'s, cached when it is stable."""
    cache = _read_cache()
    known = _valid(cache.get(key))
    if known is not None:
        return known
    measured = run()
    if measured.stable:
        cache[key] = {**asdict(measured), "torch": torch.__version__, "cpu": cpu_identity()}
        atomic_write_text(user_cache_dir() / CACHE_NAME, json.dumps(cache, indent=2) + "\n")
    return measured


def cpu_identity() -> str:
    """The processor's name and a digest of its instruction flags: another CPU, or the same
    name with other instructions enabled (a VM's), measures again."""
    flags = " ".join(sorted(cpu_flags() or ()))
    return f"{cpu_model()} (flags {hashlib.sha256(flags.encode()).hexdigest()[:12]})"


def _valid(entry: object) -> Measurement | None:
    """The cached measurement, or None for a missing, damaged, unstable or expired entry."""
    if not isinstance(entry, dict):
        return None
    values = {k: v for k, v in entry.items() if k not in ("torch", "cpu", "source")}
    try:
        measurement = Measurement(**values, source="cached")
        age = time.time() - float(measurement.measured_at)
        usable = measurement.stable is True and float(measurement.ratio) > 0
    except (TypeError, ValueError):
        return None
    same_machine = entry.get("torch") == torch.__version__ and entry.get("cpu") == cpu_identity()
    return measurement if usable and same_machine and 0 <= age < MAX_AGE_S else None


def _read_cache() -> dict:
    try:
        cache = json.loads((user_cache_dir() / CACHE_NAME).read_text())
    except (OSError, ValueError):
        return {}
    return cache if isinstance(cache, dict) else {}
