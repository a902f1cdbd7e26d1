"""The one frozen configuration of a run, with its defaults and its checks."""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, fields
from typing import Any

from trainer.errors import ConfigError

# Settings a resumed run may change; everything else must match the checkpoint.
RESUMABLE_CHANGES = ("epochs", "device", "log_every")

MODELS = ("vae", "gan")

# Per-model defaults: Adam at 1e-3 for the VAE (Kingma & Welling 2014 used Adagrad; Adam is the
# common modern choice), and the DCGAN recipe of Radford et al. 2016 (lr 2e-4, beta1 0.5).
MODEL_DEFAULTS: dict[str, dict[str, Any]] = {
    "vae": {"latent_dim": 32, "lr": 1e-3, "batch_size": 128},
    "gan": {"latent_dim": 64, "lr": 2e-4, "batch_size": 128},
}


@dataclass(frozen=True)
class RunConfig:
    """Everything that defines a training run; stored in its checkpoint and config.json."""

    model: str = "vae"
    epochs: int = 10
    latent_dim: int = 32
    beta: float = 1.0
    batch_size: int = 128
    lr: float = 1e-3
    seed: int = 0
    device: str = "auto"
    limit: int | None = None
    binarize: bool = False
    log_every: int = 10

    def __post_init__(self) -> None:
        problems = list(_problems(self))
        if problems:
            raise ConfigError("Invalid settings:\n  " + "\n  ".join(problems))

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able values."""
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> RunConfig:
        """Rebuild a config, refusing unknown keys (a config of another program or version)."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ConfigError(f"Unknown settings: {', '.join(unknown)}")
        return cls(**values)

    def replace(self, **changes: Any) -> RunConfig:
        """A copy with some settings changed (and checked again)."""
        return dataclasses.replace(self, **changes)


def default_config(model: str = "vae", **overrides: Any) -> RunConfig:
    """The default config of `model` with `overrides` (None values are ignored)."""
    if model not in MODELS:
        raise ConfigError(f"Unknown model {model!r}: choose one of {', '.join(MODELS)}")
    values = {**MODEL_DEFAULTS[model], **{k: v for k, v in overrides.items() if v is not None}}
    return RunConfig(model=model, **values)


# (field, lowest, highest): ranges beyond which a run cannot work or cannot fit in memory.
_INT_RANGES = (
    ("epochs", 1, 100_000),
    ("latent_dim", 1, 4096),
    ("batch_size", 1, 60_000),
    ("seed", 0, 2**63 - 1),
    ("log_every", 1, 1_000_000),
)


def _problems(config: RunConfig):
    if config.model not in MODELS:
        yield f"model: {config.model!r} is not one of {', '.join(MODELS)}"
    for name, low, high in _INT_RANGES:
        value = getattr(config, name)
        if not isinstance(value, int) or isinstance(value, bool):
            yield f"{name}: {value!r} is not a whole number"
        elif not low <= value <= high:
            yield f"{name}: {value} is outside {low}..{high}"
    if config.limit is not None and (
        not isinstance(config.limit, int) or isinstance(config.limit, bool) or config.limit < 10
    ):
        yield f"limit: {config.limit!r} must be at least 10 (one image per class) or none"
    if not isinstance(config.beta, (int, float)) or not math.isfinite(config.beta):
        yield f"beta: {config.beta!r} is not a finite number"
    elif not 0 <= config.beta <= 1000:
        yield f"beta: {config.beta} is outside 0..1000"
    if not isinstance(config.lr, (int, float)) or not math.isfinite(config.lr):
        yield f"lr: {config.lr!r} is not a finite number"
    elif not 0 < config.lr <= 1:
        yield f"lr: {config.lr} must be above 0 and at most 1"
    if not isinstance(config.binarize, bool):
        yield f"binarize: {config.binarize!r} is not true or false"
    if not isinstance(config.device, str) or not config.device:
        yield f"device: {config.device!r} is not a device name"


def check_resumable(config: RunConfig, saved: RunConfig) -> None:
    """Refuse a resume that would change what the checkpoint was trained as."""
    changed = [
        f"{name}: {getattr(saved, name)!r} -> {getattr(config, name)!r}"
        for name in saved.to_dict()
        if name not in RESUMABLE_CHANGES and getattr(saved, name) != getattr(config, name)
    ]
    if changed:
        raise ConfigError(
            "A resumed run must keep its settings (only epochs, device and log_every may "
            "change); changed: " + "; ".join(changed)
        )
