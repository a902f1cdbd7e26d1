"""What the Evaluate tab says of a cancel cut through a stage that several runs share: the runs
whose part finished are kept and named, the bar shows their share (issue 22, defect 4)."""

from __future__ import annotations

from fmgen_gui.report.cancel_words import bars_after_cancel, cancel_tip, cancelled_words
from trainer.evaluation.evaluate import CALIBRATION, CLASSIFIER, DIALS, LIKELIHOOD, SAMPLES
from trainer.evaluation.finished import NO_RUN, FinishedStages, StageResult, basis_of
from trainer.evaluation.results import EvaluationSettings
from trainer.metrics.classifier import ClassifierInfo

VAE, GAN = ("vae-1", "/runs/vae-1/checkpoint.pt", 1), ("gan-1", "/runs/gan-1/checkpoint.pt", 2)


def cut_in_the_gan_samples() -> FinishedStages:
    """The VAE's likelihood and samples done, the GAN's samples under way."""
    finished = FinishedStages()
    info = ClassifierInfo(0.9, 6, 0, "data", 10.0)
    plan = {
        LIKELIHOOD: {VAE: "VAE"},
        SAMPLES: {VAE: "VAE", GAN: "GAN"},
        DIALS: {},
        CALIBRATION: {NO_RUN: ""},
    }
    finished.use(basis_of(EvaluationSettings(samples=2000, iwae_k=5), info, 2000, "test"), plan)
    for stage in (LIKELIHOOD, SAMPLES):
        finished.result(VAE, stage, lambda: StageResult({}))
    return finished


def test_a_cancel_in_a_shared_stage_keeps_the_runs_done_with_it():
    progress = cut_in_the_gan_samples().progress()
    assert cancel_tip(progress) == (
        "Stop the evaluation (within a second). It keeps every finished stage (the test "
        "likelihood of VAE and the samples of VAE): the next Evaluate with the same runs, "
        "Samples and IWAE k reuses them. It drops the stage under way and those not begun (the "
        "samples of GAN and the calibration rows)."
    )
    assert cancelled_words(progress).endswith(
        "Not done: the samples of GAN and the calibration rows."
    )
    bars = bars_after_cancel(progress, {CLASSIFIER})
    assert bars[CLASSIFIER] is None and bars[LIKELIHOOD] is None  # full, with their time
    assert bars[SAMPLES] == (0.5, "cancelled (VAE kept)")
    assert bars[CALIBRATION] == (0.0, "cancelled")
    assert bars[DIALS] == (0.0, "nothing to do for these runs")


def test_only_the_same_settings_reuse_what_was_kept():
    finished = cut_in_the_gan_samples()
    same = EvaluationSettings(samples=2000, iwae_k=5)
    assert finished.held([VAE, GAN], same) == {LIKELIHOOD: ["VAE"], SAMPLES: ["VAE"]}
    assert finished.held([GAN], same) == {}  # the VAE not asked for
    assert finished.held([VAE, GAN], EvaluationSettings(samples=2000, iwae_k=6)) == {}
    trained_since = (VAE[0], VAE[1], VAE[2] + 1)
    assert finished.held([trained_since, GAN], same) == {}
