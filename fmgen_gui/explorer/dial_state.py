"""The explorer's sampler dials, free of Qt: each source's dial values and the slider's steps.

A model's entry declares its dials (ModelSpec.dials: classifier-free guidance's w, BigGAN's
truncation psi); the explorer shows a slider per dial. The slider moves in SLIDER_STEPS steps
from the dial's low to its high value, and a dial with an 'off' setting gets one more step
past the high end for it. Tests drive this object directly, without a window.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from trainer.evaluation.dial_sweep import value_words
from trainer.registry import SamplingDial, get_model

SLIDER_STEPS = 40  # low..high in 40 steps: guidance's 0..8 by 0.2, truncation's 0.25..2 by 0.04


def slider_top(dial: SamplingDial) -> int:
    """The slider's highest position: the high value, or 'off' one step past it."""
    return SLIDER_STEPS + (1 if dial.off else 0)


def value_at(dial: SamplingDial, position: int) -> float | None:
    """The dial value at slider `position` (None: its 'off' setting)."""
    if dial.off and position > SLIDER_STEPS:
        return None
    step = (dial.high - dial.low) / SLIDER_STEPS
    return round(dial.low + step * min(max(position, 0), SLIDER_STEPS), 6)


def position_of(dial: SamplingDial, value: float | None) -> int:
    """The slider position nearest `value` ('off' past the high end)."""
    if value is None:
        return slider_top(dial)
    share = (value - dial.low) / (dial.high - dial.low)
    return min(max(round(share * SLIDER_STEPS), 0), SLIDER_STEPS)


def dial_caption(dial: SamplingDial, value: float | None) -> str:
    """'Guidance w = 2' or 'Truncation psi = none': what a figure's title says it was drawn at."""
    return f"{dial.label} = {value_words(value, dial.off)}"


@dataclass
class DialSettings:
    """Each source's dial values as the user left them (a new source: the dials' defaults)."""

    values: dict[str, dict[str, float | None]] = field(default_factory=dict)

    def of(self, model: str | None) -> dict[str, float | None]:
        """A copy of `model`'s dial values by dial name (empty: a model without dials, or no
        model): a job takes it to its thread, where a later slider move must not reach it."""
        return dict(self._live(model)) if model is not None else {}

    def _live(self, model: str) -> dict[str, float | None]:
        if model not in self.values:
            self.values[model] = {dial.name: dial.default for dial in get_model(model).dials}
        return self.values[model]

    def set(self, model: str, name: str, value: float | None) -> bool:
        """Turn `model`'s dial `name` to `value`; True when that changed it."""
        values = self._live(model)
        changed = values[name] != value
        values[name] = value
        return changed

    def caption(self, model: str | None) -> str:
        """'Guidance w = 2' (dials joined by ', '); '' for a model without dials."""
        if model is None:
            return ""
        values = self.of(model)
        return ", ".join(dial_caption(d, values[d.name]) for d in get_model(model).dials)

    def at_defaults(self, model: str) -> bool:
        """True while every dial of `model` is at its default (what a fresh load draws)."""
        return all(self.of(model)[d.name] == d.default for d in get_model(model).dials)
