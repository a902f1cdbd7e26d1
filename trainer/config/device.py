"""Choose the training device and describe it; set the CPU thread count."""

from __future__ import annotations

import os
import platform

import torch

from trainer.common.errors import ConfigError
from trainer.config.settings import field_label

_LABEL = field_label("device")  # errors name the setting as the panel and the CLI do


def available_devices() -> list[tuple[str, str]]:
    """(spec, description) of every device this machine can train on, best first."""
    # Described with the threads a run will use, not the ones this process has now.
    threads = training_threads()
    devices = [("auto", f"auto: {describe_device(resolve_device('auto'), threads)}")]
    for index in range(torch.cuda.device_count()):
        devices.append((f"cuda:{index}", f"cuda:{index} ({torch.cuda.get_device_name(index)})"))
    if _mps_available():
        devices.append(("mps", "mps (Apple GPU)"))
    devices.append(("cpu", describe_device(torch.device("cpu"), threads)))
    return devices


def _mps_available() -> bool:
    backend = getattr(torch.backends, "mps", None)
    return bool(backend and backend.is_available())


def parse_device(spec: str) -> torch.device | None:
    """The device `spec` names ('auto': None), without asking whether this machine has it, so
    a sweep for another machine can be checked here."""
    spec = spec.strip().lower()
    if spec == "auto":
        return None
    try:
        device = torch.device(spec)
    except (RuntimeError, ValueError) as exc:
        raise ConfigError(
            f"{_LABEL}: {spec!r} is not a device (auto, cpu, cuda, cuda:N, mps)"
        ) from exc
    if device.type not in ("cpu", "cuda", "mps"):
        raise ConfigError(f"{_LABEL}: {spec!r} is not supported (auto, cpu, cuda, cuda:N, mps)")
    return device


def resolve_device(spec: str) -> torch.device:
    """Turn 'auto', 'cpu', 'cuda', 'cuda:N' or 'mps' into a device that exists here."""
    device = parse_device(spec)
    if device is None:
        if torch.cuda.is_available():
            return torch.device("cuda", torch.cuda.current_device())
        return torch.device("mps" if _mps_available() else "cpu")
    if device.type == "cuda":
        count = torch.cuda.device_count()
        if count == 0:
            raise ConfigError(f"{_LABEL}: {spec!r} asked for CUDA, but no CUDA GPU is usable here")
        index = device.index if device.index is not None else torch.cuda.current_device()
        if index >= count:
            raise ConfigError(
                f"{_LABEL}: {spec!r} does not exist; this machine has cuda:0..{count - 1}"
            )
        return torch.device("cuda", index)
    if device.type == "mps" and not _mps_available():
        raise ConfigError(f"{_LABEL}: 'mps' asked for, but no Apple GPU is usable here")
    return device


def describe_device(device: torch.device, threads: int | None = None) -> str:
    """A short human description such as 'cuda:0 (NVIDIA H100)' or 'cpu (2 threads)'.

    A CPU's threads: `threads`, or the ones torch uses now.
    """
    if device.type == "cuda":
        return f"cuda:{device.index} ({torch.cuda.get_device_name(device)})"
    if device.type == "cpu":
        count = threads or torch.get_num_threads()
        return f"cpu ({count} thread{'' if count == 1 else 's'})"
    return str(device)


def cpu_model() -> str:
    """The processor's name, such as 'AMD EPYC 7763' (from /proc/cpuinfo on Linux)."""
    try:
        with open("/proc/cpuinfo") as info:
            return next(line.split(":", 1)[1].strip() for line in info if "model name" in line)
    except (OSError, StopIteration):
        return platform.processor() or platform.machine()


def cpu_flags() -> frozenset[str] | None:
    """The processor's instruction flags, such as 'avx512_bf16' (None where unknown: not Linux)."""
    try:
        with open("/proc/cpuinfo") as info:
            line = next(line for line in info if line.startswith("flags"))
    except (OSError, StopIteration):
        return None
    return frozenset(line.split(":", 1)[1].split())


def cpu_count() -> int:
    """Cores this process may use (respects affinity masks and container limits)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def training_threads() -> int:
    """The threads a run on the CPU uses: FMGEN_THREADS, or one per usable core."""
    return max(1, int(os.environ.get("FMGEN_THREADS", "0")) or cpu_count())


def configure_cpu_threads(threads: int | None = None) -> int:
    """Set torch's intra-op threads: `threads`, or `training_threads()`."""
    torch.set_num_threads(max(1, threads or training_threads()))
    return torch.get_num_threads()
