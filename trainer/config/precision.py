"""The arithmetic a run trains in: fp32, TF32 matmuls, or bf16/fp16 autocast, and why.

Only the networks' forward passes run in low precision (`autocast_networks`); their outputs
come back as float32, so losses, KL terms, likelihoods, optimizer states and every reported
metric stay float32. `full_precision()` switches low precision off for evaluation.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import torch
from torch import nn
from torch.utils._pytree import tree_map_only

from trainer.common.errors import ConfigError
from trainer.config import precision_probe

# bf16/fp16 must beat fp32 by this much in the probe: a closer call is noise on a busy machine,
# and not worth the rounding.
MIN_SPEEDUP = 1.1
_DTYPES = {"bf16": torch.bfloat16, "fp16": torch.float16}


@dataclass(frozen=True)
class Precision:
    """What a run computes its forward passes in (`mode`), and why that was chosen."""

    mode: str  # fp32, tf32 (fp32 with TF32 tensor-core matmuls), bf16 or fp16 (autocast)
    reason: str = ""

    @property
    def dtype(self) -> torch.dtype | None:
        """The autocast dtype, or None when the networks run in float32."""
        return _DTYPES.get(self.mode)

    @property
    def scaled(self) -> bool:
        """fp16 gradients underflow without loss scaling (Micikevicius et al. 2018, sec. 3.2)."""
        return self.mode == "fp16"

    def forward_context(self, device_type: str) -> contextlib.AbstractContextManager:
        """Where a network's forward pass runs while training."""
        if self.dtype is not None:
            return torch.autocast(device_type, dtype=self.dtype)
        return _tf32(True) if self.mode == "tf32" else contextlib.nullcontext()

    def backward_context(self) -> contextlib.AbstractContextManager:
        """Where backward passes run (autocast needs none: they follow the forward's dtypes)."""
        return _tf32(True) if self.mode == "tf32" else contextlib.nullcontext()

    def record(self, requested: str) -> dict[str, str]:
        """Plain values for run.json and metrics.jsonl."""
        return {"requested": requested, "used": self.mode, "reason": self.reason}


FP32 = Precision("fp32", "full precision")
Probe = Callable[[torch.device, torch.dtype], float]


def resolve_precision(
    requested: str, device: torch.device, probe: Probe | None = None
) -> Precision:
    """The precision to train in on `device` for the config's `requested` setting.

    `probe(device, dtype)` gives how many times faster than fp32 a dtype ran here (the cached
    measurement of precision_probe unless a test injects one).
    """
    if requested == "fp32":
        return Precision("fp32", "fp32 was asked for")
    if requested in _DTYPES:
        return _forced(requested, device)
    probe = probe or precision_probe.cached_speedup
    fallback = "tf32" if _has_tf32(device) else "fp32"
    candidate, why_not = _native_low_precision(device)
    if candidate is None:
        return Precision(fallback, why_not)
    speedup = probe(device, _DTYPES[candidate])
    if speedup >= MIN_SPEEDUP:
        return Precision(candidate, f"native {candidate}, {speedup:.2f}x fp32's speed in a probe")
    return Precision(
        fallback, f"{candidate} ran at only {speedup:.2f}x fp32's speed in a probe on this machine"
    )


def model_precision(precision: Precision, float32_only: str) -> Precision:
    """`precision`, or float32 for a model that keeps it (`float32_only` says why), so that
    run.json never claims a precision the networks did not run in."""
    if not float32_only or precision.mode == "fp32":
        return precision
    return Precision("fp32", f"{precision.mode} not used: {float32_only}")


def _native_low_precision(device: torch.device) -> tuple[str | None, str]:
    """The low precision worth probing on `device` (None, and why not, if none)."""
    if device.type == "cpu":
        if _native("bf16", device):
            return "bf16", ""
        return None, "this CPU has no bf16 instructions, so bf16 would be emulated and slower"
    if device.type == "cuda":  # without bf16, fp16 (the probe tells whether it pays here)
        return ("bf16" if _native("bf16", device) else "fp16"), ""
    return None, f"mixed precision is chosen automatically on CPUs and CUDA GPUs, not {device.type}"


def _native(mode: str, device: torch.device) -> bool:
    """Whether `device` has hardware for `mode` (oneDNN's own check on CPUs)."""
    if device.type == "cpu":
        return (
            mode == "bf16"
            and torch.backends.mkldnn.is_available()
            and torch.ops.mkldnn._is_mkldnn_bf16_supported()
        )
    if device.type != "cuda":
        return False
    if mode == "bf16":
        return torch.cuda.is_bf16_supported(including_emulation=False)
    return torch.cuda.get_device_capability(device) >= (7, 0)  # tensor cores since Volta


def _has_tf32(device: torch.device) -> bool:
    return device.type == "cuda" and torch.cuda.get_device_capability(device) >= (8, 0)  # Ampere


def _forced(requested: str, device: torch.device) -> Precision:
    if requested == "fp16" and device.type != "cuda":
        raise ConfigError(f"Precision: fp16 needs a CUDA GPU; on {device.type} choose bf16 or fp32")
    if requested == "bf16" and device.type == "cuda" and not _native("bf16", device):
        raise ConfigError("Precision: this GPU has no bf16; choose fp16, fp32 or auto")
    if _native(requested, device):
        return Precision(requested, f"{requested} was asked for")
    return Precision(requested, f"{requested} was asked for; not native here, expect it slower")


@contextlib.contextmanager
def _tf32(enabled: bool) -> Iterator[None]:
    """TF32 tensor-core matmuls and convolutions on or off (Ampere and newer GPUs)."""
    matmul, cudnn = torch.backends.cuda.matmul, torch.backends.cudnn
    saved = matmul.allow_tf32, cudnn.allow_tf32
    matmul.allow_tf32 = cudnn.allow_tf32 = enabled
    try:
        yield
    finally:
        matmul.allow_tf32, cudnn.allow_tf32 = saved


@contextlib.contextmanager
def full_precision() -> Iterator[None]:
    """No autocast and no TF32 inside, whatever the caller set: for scoring models."""
    with contextlib.ExitStack() as stack:
        for device_type in _autocast_device_types():
            stack.enter_context(torch.autocast(device_type, enabled=False))
        stack.enter_context(_tf32(False))
        yield


def _autocast_device_types() -> list[str]:
    return ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])


def autocast_networks(model: nn.Module, precision: Precision, device_type: str) -> None:
    """Run each network of `model` (its direct children) in `precision` while in train mode.

    Each child's forward pass enters the precision's context and hands back float32 outputs,
    so whatever the learner computes from them (losses, KL, log-likelihoods) is float32.
    """
    if precision.mode == "fp32":
        return
    for network in model.children():
        hooks = _ForwardHooks(precision, device_type)
        network.register_forward_pre_hook(hooks.enter)
        network.register_forward_hook(hooks.exit, always_call=True)


class _ForwardHooks:
    """Enter the precision's context before one module's forward pass and leave it after."""

    def __init__(self, precision: Precision, device_type: str) -> None:
        self.precision, self.device_type = precision, device_type
        self.open: list[contextlib.AbstractContextManager | None] = []

    def enter(self, module: nn.Module, args: tuple) -> None:
        context = self.precision.forward_context(self.device_type) if module.training else None
        if context is not None:
            context.__enter__()
        self.open.append(context)

    def exit(self, module: nn.Module, args: tuple, output: object) -> object:
        context = self.open.pop()
        if context is None:
            return None
        context.__exit__(None, None, None)
        return tree_map_only(torch.Tensor, _float32, output)


def _float32(tensor: torch.Tensor) -> torch.Tensor:
    return tensor.float() if tensor.is_floating_point() else tensor


def plain_precision(used: str, requested: str, device: str) -> str:
    """The precision in a few plain words for a status line: 'bf16 (faster on this CPU)',
    'bf16 (as asked)' or 'fp32'. Why auto chose it, with the probe's numbers, stays in
    run.json and the status bar's tooltip."""
    if used == "fp32":
        return "fp32"
    if used == requested:
        return f"{used} (as asked)"
    hardware = "CPU" if device.startswith("cpu") else "GPU"
    return f"{used} (faster on this {hardware})"
