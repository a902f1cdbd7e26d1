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
from trainer.config.device import cpu_flags
from trainer.config.precision_probe import MIN_ROUNDS, Measurement

# bf16/fp16 must beat fp32 by this much in the probe: a closer call is noise on a busy machine,
# and not worth the rounding.
MIN_SPEEDUP = 1.1
_DTYPES = {"bf16": torch.bfloat16, "fp16": torch.float16}


@dataclass(frozen=True)
class Precision:
    """What a run computes its forward passes in (`mode`), why that was chosen, and the
    measurement `auto` decided by (None when it did not measure)."""

    mode: str  # fp32, tf32 (fp32 with TF32 tensor-core matmuls), bf16 or fp16 (autocast)
    reason: str = ""
    evidence: Measurement | None = None

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

    def record(self, requested: str) -> dict[str, object]:
        """Plain values for run.json and metrics.jsonl (with auto's evidence, if it measured)."""
        choice: dict[str, object] = {
            "requested": requested,
            "used": self.mode,
            "reason": self.reason,
        }
        if self.evidence is not None:
            choice["evidence"] = self.evidence.record()
        return choice


FP32 = Precision("fp32", "full precision")
# probe(mode): the model's own training step timed in fp32 and in `mode` (bf16 or fp16).
Probe = Callable[[str], Measurement]


def resolve_precision(
    requested: str, device: torch.device, probe: Probe, float32_only: str = ""
) -> Precision:
    """The precision to train in on `device` for the config's `requested` setting.

    `probe` is asked only where `auto` has a native low precision to weigh against fp32 (a
    model that keeps float32, `float32_only` saying why, is never probed).
    """
    if requested == "fp32":
        return Precision("fp32", "fp32 was asked for")
    if requested in _DTYPES:
        return model_precision(_forced(requested, device), float32_only)
    if float32_only:
        return Precision("fp32", f"auto keeps fp32: {float32_only}")
    fallback = "tf32" if _has_tf32(device) else "fp32"
    candidate, why_not = _native_low_precision(device)
    if candidate is None:
        return Precision(fallback, why_not)
    return _decide(candidate, fallback, probe(candidate))


def _decide(candidate: str, fallback: str, measured: Measurement) -> Precision:
    """The candidate if it trained the model clearly faster, else the fallback; in words."""
    evidence = measured.words()
    if measured.stable and measured.ratio >= MIN_SPEEDUP:
        return Precision(candidate, f"{candidate} trained this model {evidence}", measured)
    if measured.stable:
        return Precision(
            fallback, f"{candidate} trained this model only {evidence}: not worth it", measured
        )
    if measured.all_faster:  # noisy, but faster in every round: use it, measure again next time
        return Precision(
            candidate,
            f"{candidate} trained this model faster than fp32 in every round, though unevenly: "
            f"{evidence}; not remembered, measured again next run",
            measured,
        )
    why = "was too uneven to judge" if measured.rounds >= MIN_ROUNDS else "took too long to time"
    return Precision(
        fallback,
        f"{fallback} kept: {candidate} against fp32 {why} on this busy machine: {evidence}; "
        "measured again next run",
        measured,
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
            and _bf16_flags(cpu_flags())
            and torch.backends.mkldnn.is_available()
            and torch.ops.mkldnn._is_mkldnn_bf16_supported()
        )
    if device.type != "cuda":
        return False
    if mode == "bf16":
        return torch.cuda.is_bf16_supported(including_emulation=False)
    return torch.cuda.get_device_capability(device) >= (7, 0)  # tensor cores since Volta


def _bf16_flags(flags: frozenset[str] | None) -> bool:
    """Whether the CPU's flags show bf16 arithmetic (AVX-512 BF16 or AMX), or are unknown
    (not Linux: oneDNN's check decides alone)."""
    return flags is None or bool(flags & {"avx512_bf16", "amx_bf16"})


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


def plain_precision(
    used: str, requested: str, device: str, evidence: dict[str, object] | None = None
) -> str:
    """The precision in a few plain words for a status line: 'bf16 (1.47x fp32 on this CPU)',
    'fp32 (timings too uneven to choose)', 'bf16 (as asked)' or 'fp32'. `evidence` is auto's
    measurement (Measurement.record()), if it made one; its rounds and spread are in run.json
    and the status bar's tooltip."""
    hardware = "CPU" if device.startswith("cpu") else "GPU"
    ratio = evidence.get("ratio") if evidence else None
    if used == requested:
        return used if used == "fp32" else f"{used} (as asked)"
    if not isinstance(ratio, (int, float)):
        return used if used == "fp32" else f"{used} (faster on this {hardware})"
    if used in _DTYPES:
        return f"{used} ({ratio:.2f}x fp32 on this {hardware})"
    if evidence and evidence.get("stable"):
        return f"{used} (low precision only {ratio:.2f}x faster here)"
    return f"{used} (timings too uneven to choose)"
