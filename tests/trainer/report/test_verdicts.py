"""The report's judgements and words, from numbers alone: failures, skew, plurals, labels."""

from __future__ import annotations

import pytest

from trainer.common import keys
from trainer.common.words import epochs_phrase, plural, share
from trainer.config.settings import default_config
from trainer.report.interpret import interpret
from trainer.report.verdicts import (
    COLLAPSED,
    NO_RECALL,
    NOT_LEARNED,
    SKEWED,
    UNDER_TRAINED,
    findings,
)
from trainer.runs.facts import RunFacts, run_labels, trained_phrase
from trainer.runs.metrics_json import CALIBRATION, CALIBRATION_FLOOR, CALIBRATION_NOISE, RUNS

# Real training images and uniform noise as a CPU report measured them (once quoted in the README,
# which now cites committed raw files instead; the CPU raw files give noise a precision of 0.997).
FLOOR = {keys.FID: 0.6, keys.RECALL: 0.86, keys.PRECISION: 0.86, keys.COVERAGE: 0.88}
NOISE = {keys.FID: 720.9, keys.RECALL: 0.0, keys.PRECISION: 0.99, keys.COVERAGE: 0.0}
EVEN = [0.1] * 10


def samples(fid: float, recall: float, histogram: list[float], precision: float = 0.7) -> dict:
    return {
        keys.FID: fid,
        keys.KID: 0.02,
        keys.PRECISION: precision,
        keys.RECALL: recall,
        keys.DENSITY: 0.6,
        keys.COVERAGE: recall,
        keys.CLASS_HISTOGRAM: histogram,
    }


def section(label: str, sample_metrics: dict, epochs: float = 10, fall: float = 0.001) -> dict:
    return {
        "label": label,
        "model": "gan",
        "samples": sample_metrics,
        "epochs_trained": epochs,
        "loss_fall": fall,
    }


def calibration(noise_histogram: list[float] = EVEN) -> dict:
    noise = {**NOISE, keys.DENSITY: 0.66, keys.CLASS_HISTOGRAM: noise_histogram}
    return {CALIBRATION_FLOOR: FLOOR, CALIBRATION_NOISE: noise}


# A healthy 10-epoch VAE: 20% pullovers and 2% sandals (that CPU report's run), recall 0.14.
VAE_SHARES = [0.08, 0.09, 0.20, 0.09, 0.10, 0.02, 0.08, 0.09, 0.16, 0.09]
GOOD = section("GAN", samples(96.0, 0.54, [0.07, 0.09, 0.1, 0.11, 0.14, 0.08, 0.1, 0.1, 0.11, 0.1]))
SKEWED_VAE = section("VAE", samples(173.1, 0.14, VAE_SHARES))
COLLAPSED_GAN = section(
    "GAN", samples(300.0, 0.08, [0.0, 0.55, 0.005, 0.05, 0.0, 0.005, 0.04, 0.05, 0.3, 0.0])
)
FAILED_GAN = section("GAN", samples(700.0, 0.0, EVEN), epochs=1, fall=0.2)


def kinds(run: dict) -> list[str]:
    return [f.kind for f in findings(run, calibration())]


def test_a_good_model_has_no_finding():
    assert kinds(GOOD) == []


def test_a_healthy_vae_with_20_percent_pullovers_reads_skewed_not_collapsed():
    assert kinds(SKEWED_VAE) == [SKEWED]
    (finding,) = findings(SKEWED_VAE, calibration())
    assert "Pullover 20%" in finding.clause and "Sandal 2%" in finding.clause


def test_most_samples_in_two_classes_with_classes_missing_is_collapse():
    assert kinds(COLLAPSED_GAN) == [COLLAPSED]
    (finding,) = findings(COLLAPSED_GAN, calibration())
    assert "85% of its samples are Trouser and Bag" in finding.clause


def test_a_model_at_the_noise_row_has_not_learned_and_is_named_so():
    assert kinds(FAILED_GAN) == [NOT_LEARNED, NO_RECALL, UNDER_TRAINED]
    metrics = {RUNS: {"g": FAILED_GAN}, CALIBRATION: calibration()}
    text = " ".join(interpret(metrics))
    assert "GAN has not learned the data yet (FID 700.0, near the noise row's 720.9)" in text
    assert "is under-trained (1 epoch only, and its training loss still fell 20%" in text


def test_the_precision_caveat_names_what_the_classifier_sees_in_noise():
    histogram = [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.3, 0.0, 0.004, 0.696]
    metrics = {RUNS: {"v": SKEWED_VAE, "g": GOOD}, CALIBRATION: calibration(histogram)}
    text = " ".join(interpret(metrics))
    assert "it calls most of it Ankle boot (70%) and Shirt (30%)" in text
    assert "bags" not in text.lower()
    assert "By FID (lower is better) the runs rank GAN (96.0), then VAE (173.1);" in text


def test_no_run_is_said_to_cover_the_most_when_none_covers_much():
    low_vae = section("VAE", samples(259.0, 0.04, VAE_SHARES))
    metrics = {RUNS: {"v": low_vae, "g": FAILED_GAN}, CALIBRATION: calibration()}
    text = " ".join(interpret(metrics))
    assert "covers the most" not in text
    assert "VAE covers almost none of the test set (recall 0.04)" in text
    metrics = {RUNS: {"v": SKEWED_VAE, "g": GOOD}, CALIBRATION: calibration()}
    assert "GAN covers the most of the test set (recall 0.54" in " ".join(interpret(metrics))


def test_words():
    assert plural(1, "epoch") == "1 epoch" and plural(2, "epoch") == "2 epochs"
    assert plural(10000, "image") == "10,000 images"
    assert epochs_phrase(1) == "1 epoch" and epochs_phrase(1.96) == "1.9 epochs"
    assert epochs_phrase(0.25) == "0.25 epochs"
    assert share(0.004) == "under 1%" and share(0.2) == "20%"


@pytest.mark.parametrize(
    ("trained", "completed", "steps", "expected"),
    [
        (10, 10, 4690, "10 epochs (4,690 steps)"),
        (1.875, 1, 882, "stopped after 1.8 epochs, step 882 (10 planned)"),
        (3, 3, 1407, "stopped after 3 epochs (1,407 steps; 10 planned)"),
    ],
)
def test_a_run_stopped_mid_epoch_says_so(trained, completed, steps, expected):
    facts = RunFacts("k", "VAE", "vae", "", {}, 1, 60000, 469, 10, completed, trained, steps, None)
    assert trained_phrase(facts) == expected


def test_labels_name_what_tells_runs_of_one_model_apart():
    configs = {
        "a": default_config("vae", beta=1.0),
        "b": default_config("vae", beta=4.0, latent_dim=16),
        "c": default_config("gan"),
    }
    assert run_labels(configs) == {
        "a": "VAE (latent size = 32, KL weight beta = 1)",
        "b": "VAE (latent size = 16, KL weight beta = 4)",
        "c": "GAN",
    }
    same = {"x": default_config("vae"), "y": default_config("vae")}
    assert run_labels(same) == {"x": "VAE (x)", "y": "VAE (y)"}


def test_a_missing_class_reads_the_same_for_none_and_for_a_few_samples():
    """The trial's page read "Sandal 0%" for one run and "Sandal under 1%" for the other."""
    none_shares = [0.18, 0.03, 0.2, 0.1, 0.01, 0.0, 0.1, 0.02, 0.36, 0.0]
    few_shares = [0.18, 0.03, 0.2, 0.1, 0.01, 0.001, 0.1, 0.02, 0.356, 0.003]
    for shares in (none_shares, few_shares):
        metrics = {RUNS: {"v": section("VAE", samples(300.0, 0.3, shares))}}
        metrics[CALIBRATION] = calibration()
        text = " ".join(interpret(metrics))
        assert "Sandal under 1%" in text and "Sandal 0%" not in text, text
