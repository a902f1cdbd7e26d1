"""Evaluation stages report often enough to watch, and the bars say how long is left."""

from __future__ import annotations

import math

from tests.runs import tiny_run
from trainer.classifier import train_classifier
from trainer.evaluate import SAMPLES, EvaluationSettings, evaluate
from trainer.sampling import batch_size


def test_a_ddpm_added_to_kept_runs_fills_the_samples_bar_step_by_step(
    tiny_data, tiny_data_dir, tmp_path, small_networks
):
    """The trial's DDPM started its samples bar at 67% (two kept runs took their share) and
    moved once per batch of 20 samples, one pixel in 30 s on a CPU."""
    gan = tiny_run("gan", tiny_data_dir, tmp_path / "gan")
    ddpm = tiny_run("ddpm", tiny_data_dir, tmp_path / "ddpm")
    classifier = train_classifier(tiny_data, epochs=1)
    settings = EvaluationSettings(samples=40)
    first = evaluate([gan], tiny_data, *classifier, settings)
    reports: list[tuple[str, float, str]] = []
    both = evaluate(
        [gan, ddpm],
        tiny_data,
        *classifier,
        settings,
        lambda *r: reports.append(r),
        None,
        None,
        first,
    )
    assert both.runs[gan.name] is first.runs[gan.name]  # kept: the DDPM alone is computed
    fractions = [f for stage, f, text in reports if stage == SAMPLES and "samples" in text]
    batches = math.ceil(40 / batch_size("ddpm"))
    assert len(fractions) > batches  # within each batch too, not once a batch
    assert fractions[0] < 0.5 / batches  # the whole bar is the DDPM's
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
