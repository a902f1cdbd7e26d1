"""Choose the training device and describe it; set the CPU thread count."""

from __future__ import annotations

import os
import platform

import torch

from trainer.errors import ConfigError


def available_devices() -> list[tuple[str, str]]:
    """(spec, description) of every device this machine can train on, best first."""
    devices = [("auto", f"auto ({describe_device(resolve_device('auto'))})")]
    for index in range(torch.cuda.device_count()):
        devices.append((f"cuda:{index}", f"cuda:{index} ({torch.cuda.get_device_name(index)})"))
    if _mps_available():
        devices.append(("mps", "mps (Apple GPU)"))
    devices.append(("cpu", describe_device(torch.device("cpu"))))
    return devices


def _mps_available() -> bool:
    backend = getattr(torch.backends, "mps", None)
    return bool(backend and backend.is_available())


def resolve_device(spec: str) -> torch.device:
    """Turn 'auto', 'cpu', 'cuda', 'cuda:N' or 'mps' into a device that exists here."""
    spec = spec.strip().lower()
    if spec == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda", torch.cuda.current_device())
        return torch.device("mps" if _mps_available() else "cpu")
    try:
        device = torch.device(spec)
    except RuntimeError as exc:
        raise ConfigError(
            f"device: {spec!r} is not a device (auto, cpu, cuda, cuda:N, mps)"
        ) from exc
    if device.type == "cuda":
        count = torch.cuda.device_count()
        if count == 0:
            raise ConfigError(f"device: {spec!r} asked for CUDA, but no CUDA GPU is usable here")
        index = device.index if device.index is not None else torch.cuda.current_device()
        if index >= count:
            raise ConfigError(
                f"device: {spec!r} does not exist; this machine has cuda:0..{count - 1}"
            )
        return torch.device("cuda", index)
    if device.type == "mps" and not _mps_available():
        raise ConfigError("device: 'mps' asked for, but no Apple GPU is usable here")
    if device.type not in ("cpu", "cuda", "mps"):
        raise ConfigError(f"device: {spec!r} is not supported (auto, cpu, cuda, cuda:N, mps)")
    return device


def describe_device(device: torch.device) -> str:
    """A short human description such as 'cuda:0 (NVIDIA H100)' or 'cpu (2 threads)'."""
    if device.type == "cuda":
        return f"cuda:{device.index} ({torch.cuda.get_device_name(device)})"
    if device.type == "cpu":
        return f"cpu ({torch.get_num_threads()} threads)"
    return str(device)


def cpu_model() -> str:
    """The processor's name, such as 'AMD EPYC 7763' (from /proc/cpuinfo on Linux)."""
    try:
        with open("/proc/cpuinfo") as info:
            return next(line.split(":", 1)[1].strip() for line in info if "model name" in line)
    except (OSError, StopIteration):
        return platform.processor() or platform.machine()


def cpu_count() -> int:
    """Cores this process may use (respects affinity masks and container limits)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def configure_cpu_threads(threads: int | None = None) -> int:
    """Set torch's intra-op threads: `threads`, or FMGEN_THREADS, or one per usable core."""
    wanted = threads or int(os.environ.get("FMGEN_THREADS", "0")) or cpu_count()
    torch.set_num_threads(max(1, wanted))
    return torch.get_num_threads()
