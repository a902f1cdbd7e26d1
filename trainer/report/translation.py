"""What the report says about a translator's run (ModelSpec.translates, CycleGAN), read from
its metrics.json section: the domain-adaptation figure's bars and its strips' titles.
Qt-free: the page (fmgen_gui/report) draws them."""

from __future__ import annotations

import math
from collections.abc import Mapping

from trainer.common import keys
from trainer.data.domains import DOMAIN_PAIRS, DomainPair
from trainer.runs.metrics_json import TRANSLATION_SECTION


def pair_of(section: Mapping) -> DomainPair:
    """The run's two domains (its `domains` setting)."""
    return DOMAIN_PAIRS[section["config"]["domains"]]


def adaptation_bars(section: Mapping) -> list[tuple[str, float]]:
    """A shifted-domain run: the classifier's accuracy on the original test images, on their
    shifted copies and on the copies translated back by F (CyCADA's before/after figure);
    empty for a class pair."""
    numbers, pair = section[TRANSLATION_SECTION], pair_of(section)
    if keys.ACCURACY_TRANSLATED not in numbers:
        return []
    return [
        ("originals", numbers[keys.ACCURACY_ORIGINAL]),
        (pair.b.lower(), numbers[keys.ACCURACY_SHIFTED]),
        (f"F({pair.b.lower()})", numbers[keys.ACCURACY_TRANSLATED]),
    ]


def adaptation_title(section: Mapping, label: str) -> str:
    """The bars' title: how much of the accuracy the shift took away F wins back."""
    recovered = section[TRANSLATION_SECTION][keys.RECOVERED]
    won = (
        "the shift cost nothing"
        if math.isnan(recovered)  # nothing was lost, so no share of it is won back
        else f"F wins back {recovered:.0%} of the loss"
    )
    return f"{label}: classifier accuracy; {won}"


def strip_title(section: Mapping, label: str, direction: str) -> str:
    """A class pair's grid title: the share of the translations the classifier labels as
    the other class."""
    numbers, pair = section[TRANSLATION_SECTION], pair_of(section)
    second = pair.b if direction == "a_to_b" else pair.a
    there = "G" if direction == "a_to_b" else "F"
    share = numbers[keys.LABELLED_B if direction == "a_to_b" else keys.LABELLED_A]
    return f"{label}: {share:.0%} of {there}(x) labelled {second}"
