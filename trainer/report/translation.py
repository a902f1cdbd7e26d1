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


def recovered_words(numbers: Mapping) -> str:
    """How much of the accuracy the shift took away F wins back, from a translation section:
    a share, none (F's translations are read worse still), or nothing to win (no loss)."""
    recovered = numbers[keys.RECOVERED]
    if recovered is None or math.isnan(recovered):  # the shift cost nothing: nothing to win
        return "the shift cost no accuracy, so F has none to win back"
    if recovered < 0:
        worse = numbers[keys.ACCURACY_SHIFTED] - numbers[keys.ACCURACY_TRANSLATED]
        return (
            f"F wins none of it back (its translations are read right {100 * worse:.1f} "
            "percentage points less often still)"
        )
    return f"F wins back {recovered:.0%} of the accuracy the shift took away"


def adaptation_title(section: Mapping, label: str) -> str:
    """The bars' title: the classifier's accuracy, and what F wins back."""
    return f"{label}: classifier accuracy; {recovered_words(section[TRANSLATION_SECTION])}"


def strip_title(section: Mapping, label: str, direction: str) -> str:
    """A class pair's grid title: the share of the translations the classifier labels as
    the other class."""
    numbers, pair = section[TRANSLATION_SECTION], pair_of(section)
    second = pair.b if direction == "a_to_b" else pair.a
    there = "G" if direction == "a_to_b" else "F"
    share = numbers[keys.LABELLED_B if direction == "a_to_b" else keys.LABELLED_A]
    return f"{label}: {share:.0%} of {there}(x) labelled {second}"
