"""Evaluation stages report often enough to watch, and the bars say how long is left."""

from __future__ import annotations

import math

from fmgen_gui.report import evaluated
from fmgen_gui.report.stages import StageBars
from tests.runs import tiny_run
from trainer.evaluation.evaluate import LIKELIHOOD, SAMPLES, EvaluationSettings, evaluate
from trainer.metrics.classifier import train_classifier
from trainer.sampling.samples import batch_size


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
    texts = [text for stage, _, text in reports if stage == SAMPLES and "samples" in text]
    assert texts[-1] == "DDPM: 40 of 40 samples"  # how many are done, not only the bar


def test_a_stage_says_how_long_it_ran_and_how_long_is_left(monkeypatch, qtbot):
    now = [100.0]
    monkeypatch.setattr(evaluated.time, "monotonic", lambda: now[0])
    bars = StageBars()
    qtbot.addWidget(bars)
    bars.reset()
    bars.show_stage(SAMPLES, 0.1, "DDPM: 2,000 samples")  # its first report: no clock yet
    assert bars.details[SAMPLES].text() == "DDPM: 2,000 samples"
    now[0] = 101.5  # a rate from 1.5 s is too early to trust
    bars.show_stage(SAMPLES, 0.12, "DDPM: 2,000 samples")
    assert bars.details[SAMPLES].text() == "DDPM: 2,000 samples (2 s so far)"
    now[0] = 160.0  # 0.5 of the stage in 60 s: 0.4 left takes 48 s
    bars.show_stage(SAMPLES, 0.6, "DDPM: 2,000 samples")
    assert bars.details[SAMPLES].text() == "DDPM: 2,000 samples (1 min 0 s so far, about 48 s left)"
    now[0] = 400.0
    bars.show_stage(SAMPLES, 1.0, "DDPM: 2,000 samples")  # done: nothing left to estimate
    assert bars.details[SAMPLES].text() == "DDPM: 2,000 samples (took 5 min 0 s)"  # issue 22
    now[0] = 900.0  # the other stages go on: a finished one keeps its time
    bars.finish({})
    assert bars.details[SAMPLES].text() == "done, took 5 min 0 s"
    bars.reset()  # the next evaluation's clock starts at its own first report
    bars.show_stage(SAMPLES, 0.0, "VAE: 2,000 samples")
    assert bars.details[SAMPLES].text() == "VAE: 2,000 samples"


def test_a_run_done_with_a_shared_stage_names_the_next(
    tiny_data, tiny_data_dir, tmp_path, small_networks
):
    """Issue 22 item 10: 'VAE: 40 of 40 samples' read as the stage's end while the GAN's share
    was still to come."""
    vae = tiny_run("vae", tiny_data_dir, tmp_path / "vae")
    gan = tiny_run("gan", tiny_data_dir, tmp_path / "gan")
    reports: list[tuple[str, float, str]] = []
    settings = EvaluationSettings(samples=40, iwae_k=2, dial_sweep=False)
    classifier = train_classifier(tiny_data, epochs=1)
    evaluate([vae, gan], tiny_data, *classifier, settings, lambda *r: reports.append(r))
    samples = [(round(f, 3), text) for stage, f, text in reports if stage == SAMPLES]
    assert (0.5, "VAE: 40 of 40 samples; GAN next") in samples
    assert samples[-1] == (1.0, "GAN: 40 of 40 samples")
    likelihood = [text for stage, f, text in reports if stage == LIKELIHOOD and f >= 1]
    assert likelihood and not any("next" in text for text in likelihood)  # the VAE alone
