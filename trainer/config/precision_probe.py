"""How much faster bf16/fp16 autocast trains than fp32 on this machine, measured once and cached.

A CPU may report bf16 support yet emulate parts of it, and small networks on a GPU can be
bound by kernel launches rather than arithmetic: so `auto` asks a measurement, not a table.
The probe trains a small conv net shaped like the default VAE's encoder for a few steps in
each precision, alternating, and keeps the fastest pass of each (the least disturbed by other
programs). The result is cached per CPU model, torch version, device and dtype in the user
cache folder; delete precision-probe.json there to measure again.
"""

from __future__ import annotations

import json
import time

import torch
import torch.nn.functional as F
from torch import nn

from trainer.common.files import atomic_write_text, user_cache_dir
from trainer.config.device import cpu_model

CACHE_NAME = "precision-probe.json"
PROBE_BATCH = 64
WARMUP_PASSES = 1  # the first pass also builds kernels
TIMED_PASSES = 5
BUDGET_S = 1.0  # after warm-up and one timed pass each, stop timing once this is spent


def cached_speedup(device: torch.device, dtype: torch.dtype) -> float:
    """fp32's time per training pass divided by `dtype`'s, from the cache or measured now."""
    key = machine_key(device, dtype)
    cache = _read_cache()
    known = _speedup(cache.get(key))
    if known is not None:
        return known
    fp32_s, low_s = measure(device, dtype)
    cache[key] = {"fp32_ms": 1000 * fp32_s, "low_ms": 1000 * low_s, "measured": _now()}
    atomic_write_text(user_cache_dir() / CACHE_NAME, json.dumps(cache, indent=2) + "\n")
    return fp32_s / low_s


def machine_key(device: torch.device, dtype: torch.dtype) -> str:
    """What the measurement depends on: processor, torch, device (and its threads), dtype."""
    if device.type == "cuda":
        where = f"cuda {torch.cuda.get_device_name(device)}"
    else:
        where = f"{device.type} ({torch.get_num_threads()} threads)"
    return f"{cpu_model()} | torch {torch.__version__} | {where} | {dtype}".replace("torch.", "")


def measure(device: torch.device, dtype: torch.dtype) -> tuple[float, float]:
    """Seconds of the fastest fp32 and the fastest `dtype` training pass of the probe net."""
    with torch.random.fork_rng(devices=[]):  # the probe must not shift anyone's random stream
        torch.manual_seed(0)
        net = _probe_net().to(device)
        images = torch.rand(PROBE_BATCH, 1, 28, 28, device=device)
    times: dict[bool, list[float]] = {False: [], True: []}
    deadline = time.perf_counter() + BUDGET_S
    for done in range(1, WARMUP_PASSES + TIMED_PASSES + 1):
        for low in (False, True):
            times[low].append(_timed_pass(net, images, dtype if low else None))
        if done > WARMUP_PASSES and time.perf_counter() > deadline:
            break
    return min(times[False][WARMUP_PASSES:]), min(times[True][WARMUP_PASSES:])


def _probe_net() -> nn.Module:
    return nn.Sequential(
        nn.Conv2d(1, 32, 4, stride=2, padding=1),
        nn.SiLU(),
        nn.Conv2d(32, 64, 4, stride=2, padding=1),
        nn.SiLU(),
        nn.Flatten(),
        nn.Linear(64 * 7 * 7, 256),
        nn.SiLU(),
        nn.Linear(256, 784),
    )


def _timed_pass(net: nn.Module, images: torch.Tensor, dtype: torch.dtype | None) -> float:
    """One forward and backward pass; seconds."""
    device = images.device
    _synchronize(device)
    started = time.perf_counter()
    with torch.autocast(device.type, dtype=dtype, enabled=dtype is not None):
        logits = net(images)
    F.binary_cross_entropy_with_logits(logits.float(), images.flatten(1)).backward()
    _synchronize(device)
    net.zero_grad(set_to_none=True)
    return time.perf_counter() - started


def _synchronize(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def _read_cache() -> dict:
    try:
        cache = json.loads((user_cache_dir() / CACHE_NAME).read_text())
    except (OSError, ValueError):
        return {}
    return cache if isinstance(cache, dict) else {}


def _speedup(entry: object) -> float | None:
    """The cached ratio, or None for a missing or damaged entry (then it is measured again)."""
    try:
        return float(entry["fp32_ms"]) / float(entry["low_ms"])  # type: ignore[index]
    except (KeyError, TypeError, ValueError, ZeroDivisionError):
        return None


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S%z")
