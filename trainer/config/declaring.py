"""How a setting is declared: one RunConfig field with everything people and tools need to
know about it (label, help, choices, range, whether only some models use it).

trainer/config/settings.py declares every setting with `declared`; the command line's options,
the config checks and the Train tab's rows read the field's metadata.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from trainer.config.values import Range


def declared(
    default: Any,
    label: str,
    help: str,
    choices: tuple[str, ...] | None = None,
    *,
    range: Range | None = None,
    model_option: bool = False,
) -> Any:
    """A RunConfig field with everything people and tools need to know about the setting.

    `range`: the values a number may take; `model_option`: only the models whose registry entry
    lists it in `ModelSpec.options` use it (the others must keep the default).
    """
    metadata = {
        "label": label,
        "help": help,
        "choices": choices,
        "range": range,
        "model_option": model_option,
    }
    return dataclasses.field(default=default, metadata=metadata)
