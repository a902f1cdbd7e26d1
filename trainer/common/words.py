"""Small phrases the report builds from numbers: counts with plurals, epochs, shares."""

from __future__ import annotations

import math

# Shares below this read "under 1%", none included: 0 or 1 sample in 2,000 is the same finding,
# and one run's "Sandal 0%" beside another's "Sandal under 1%" reads as two rules.
UNDER_ONE_PERCENT = 0.01


def plural(count: float, word: str, many: str | None = None) -> str:
    """'1 epoch', '2 epochs', '1.9 epochs', '10,000 images'."""
    number = f"{count:,}" if isinstance(count, int) else f"{count:,.3g}"
    return f"{number} {word if count == 1 else many or word + 's'}"


def epochs_phrase(epochs: float) -> str:
    """Epochs trained, never rounded up to a whole epoch that was not finished."""
    if epochs == int(epochs):
        return plural(int(epochs), "epoch")
    shown = math.floor(epochs * 10) / 10 if epochs >= 1 else float(f"{epochs:.2g}")
    return f"{shown:g} epochs"


def share(value: float) -> str:
    """A share as a percentage; 'under 1%' for any share below 1%, none included."""
    if value < UNDER_ONE_PERCENT:
        return "under 1%"
    return f"{value:.0%}"


def join_words(items: list[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"
