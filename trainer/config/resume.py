"""What a resumed run may change: its settings must match the checkpoint's but for a few."""

from __future__ import annotations

from trainer.common.errors import ConfigError
from trainer.config.settings import RunConfig, field_label

# Settings a resumed run may change; everything else must match the checkpoint.
RESUMABLE_CHANGES = ("epochs", "device", "log_every", "precision")


def check_resumable(config: RunConfig, saved: RunConfig) -> None:
    """Refuse a resume that would change what the checkpoint was trained as."""
    changed = [
        f"{field_label(name)}: {getattr(saved, name)!r} -> {getattr(config, name)!r}"
        for name in saved.to_dict()
        if name not in RESUMABLE_CHANGES and getattr(saved, name) != getattr(config, name)
    ]
    if changed:
        may_change = ", ".join(field_label(name) for name in RESUMABLE_CHANGES)
        raise ConfigError(
            f"A resumed run must keep its settings (only {may_change} may change); changed: "
            + "; ".join(changed)
        )
