"""Stage words for a stage that several runs share in turn: which run is next."""

from __future__ import annotations

from collections.abc import Callable

Report = Callable[[str, float, str], None]  # (stage, fraction, text): evaluate's StageProgress


def naming_the_next(
    report: Report, key: str, order: dict[str, list[str]], labels: dict[str, str]
) -> Report:
    """`report` for run `key`, whose finished share of a stage that other runs share too says
    which run is next ('VAE: 2,000 of 2,000 samples; GAN next'), so it does not read as the
    stage's end (issue 22). `order`: the runs that take part in a stage, in turn, by stage."""

    def named(stage: str, fraction: float, text: str) -> None:
        runs = order.get(stage, [])
        later = runs[runs.index(key) + 1 :] if key in runs else []
        if fraction >= 1 and later:
            text = f"{text}; {labels[later[0]]} next"
        report(stage, fraction, text)

    return named
