"""A cancelled evaluation keeps its finished stages, and the next one with the same runs and
settings computes only what is missing (issue 22, defect 4: cancelling during calibration threw
away minutes of test likelihood and samples)."""

from __future__ import annotations

import os
import threading
from collections import Counter
from dataclasses import replace

import pytest

from tests.runs import tiny_run
from trainer.common.errors import Cancelled
from trainer.data.fashion_mnist import Split
from trainer.evaluation import evaluate as evaluate_module
from trainer.evaluation import run_stages
from trainer.evaluation.evaluate import CALIBRATION, FEATURES, LIKELIHOOD, SAMPLES, evaluate
from trainer.evaluation.finished import FinishedStages, run_snapshot
from trainer.evaluation.results import EvaluationSettings
from trainer.metrics.classifier import train_classifier
from trainer.runs.metrics_json import SAMPLES_SECTION, TEST_SECTION

SETTINGS = EvaluationSettings(samples=40, iwae_k=2, dial_sweep=False)


@pytest.fixture
def calls(monkeypatch) -> Counter:
    """Calls of the functions that do each stage's work (the real ones, counted on the way)."""
    counted = Counter()
    for module, name in (
        (run_stages, "per_image_terms"),  # the VAE's test likelihood
        (run_stages, "generate"),  # every run's samples
        (evaluate_module, "calibrate"),  # the calibration rows
    ):
        real = getattr(module, name)

        def counting(*args, _real=real, _name=name, **kwargs):
            counted[_name] += 1
            return _real(*args, **kwargs)

        monkeypatch.setattr(module, name, counting)
    return counted


def cancel_at(stage: str, reports: list) -> tuple[threading.Event, object]:
    """A cancel event set when `stage` first reports, and the progress callback that sets it."""
    cancel = threading.Event()

    def progress(name: str, fraction: float, text: str) -> None:
        reports.append((name, fraction, text))
        if name == stage:
            cancel.set()

    return cancel, progress


@pytest.fixture(scope="module")
def runs(tmp_path_factory, tiny_data_dir):
    out = tmp_path_factory.mktemp("cancel-keeps")
    return tiny_run("vae", tiny_data_dir, out / "vae"), tiny_run("gan", tiny_data_dir, out / "gan")


def test_the_next_evaluation_computes_only_the_stages_a_cancel_cut_off(runs, tiny_data, calls):
    vae, gan = runs
    classifier = train_classifier(tiny_data, epochs=1)
    finished = FinishedStages()
    reports: list = []
    cancel, progress = cancel_at(CALIBRATION, reports)
    with pytest.raises(Cancelled):  # as the trial's: after the likelihood and both samples
        evaluate(
            [vae, gan], tiny_data, *classifier, SETTINGS, progress, cancel, None, None, finished
        )
    assert calls == {"per_image_terms": 1, "generate": 2, "calibrate": 1}
    done = finished.progress()
    assert done[LIKELIHOOD] == (["VAE"], []) and done[SAMPLES] == (["VAE", "GAN"], [])
    assert done[CALIBRATION] == ([], [""])  # cut off: nothing of it kept

    calls.clear()
    reports.clear()
    _, collect = cancel_at("no stage", reports)  # records, never cancels
    again = evaluate(
        [vae, gan], tiny_data, *classifier, SETTINGS, collect, None, None, None, finished
    )
    assert calls == {"calibrate": 1}  # only what the cancel cut off
    assert (LIKELIHOOD, 1.0, "VAE: reused, finished before the last evaluation stopped") in reports
    assert (
        SAMPLES,
        1.0,
        "VAE and GAN: reused, finished before the last evaluation stopped",
    ) in reports
    # The same numbers as an evaluation never cancelled (seeded).
    whole = evaluate([vae, gan], tiny_data, *classifier, SETTINGS)
    mine, theirs = again.metrics["runs"], whole.metrics["runs"]
    for key in (vae.name, gan.name):
        assert mine[key][SAMPLES_SECTION] == theirs[key][SAMPLES_SECTION]
    assert mine[vae.name][TEST_SECTION] == theirs[vae.name][TEST_SECTION]
    assert again.metrics["calibration"] == whole.metrics["calibration"]
    assert set(again.runs[vae.name].grids) == set(whole.runs[vae.name].grids)


def test_a_run_trained_since_or_other_settings_are_computed_again(runs, tiny_data, calls):
    vae, gan = runs
    classifier = train_classifier(tiny_data, epochs=1)
    finished = FinishedStages()
    cancel, progress = cancel_at(CALIBRATION, [])
    with pytest.raises(Cancelled):
        evaluate(
            [vae, gan], tiny_data, *classifier, SETTINGS, progress, cancel, None, None, finished
        )
    checkpoint = run_snapshot(gan.name, gan)[1]
    before = os.stat(checkpoint).st_mtime_ns
    os.utime(checkpoint, ns=(before + 10**9, before + 10**9))  # the GAN trained on since
    calls.clear()
    cancel, progress = cancel_at(CALIBRATION, [])
    with pytest.raises(Cancelled):
        evaluate(
            [vae, gan], tiny_data, *classifier, SETTINGS, progress, cancel, None, None, finished
        )
    assert calls == {"generate": 1, "calibrate": 1}  # the GAN's samples, not the VAE's

    calls.clear()  # another IWAE k: no row compares with the kept ones
    other = EvaluationSettings(samples=40, iwae_k=3, dial_sweep=False)
    evaluate([vae, gan], tiny_data, *classifier, other, None, None, None, None, finished)
    assert calls == {"per_image_terms": 1, "generate": 2, "calibrate": 1}


def test_a_checkpoint_written_during_the_evaluation_is_not_credited_with_older_results(
    runs, tiny_data, calls
):
    # A run still training: its epoch ends while the test-set features are computed, after its
    # old weights were loaded. Their results must not be filed under the new checkpoint.
    vae, _ = runs
    classifier = train_classifier(tiny_data, epochs=1)
    finished = FinishedStages()
    checkpoint = run_snapshot(vae.name, vae)[1]
    cancel = threading.Event()

    def progress(stage: str, fraction: float, text: str) -> None:
        if stage == FEATURES and not cancel.is_set():
            later = os.stat(checkpoint).st_mtime_ns + 10**9
            os.utime(checkpoint, ns=(later, later))  # the epoch ends now
        if stage == CALIBRATION:
            cancel.set()

    with pytest.raises(Cancelled):
        evaluate([vae], tiny_data, *classifier, SETTINGS, progress, cancel, None, None, finished)
    calls.clear()
    evaluate([vae], tiny_data, *classifier, SETTINGS, None, None, None, None, finished)
    assert calls == {"per_image_terms": 1, "generate": 1, "calibrate": 1}  # nothing reused


def test_another_test_split_reuses_nothing(runs, tiny_data, calls):
    vae, _ = runs
    classifier = train_classifier(tiny_data, epochs=1)  # its fingerprint: the training split
    finished = FinishedStages()
    cancel, progress = cancel_at(CALIBRATION, [])
    with pytest.raises(Cancelled):
        evaluate([vae], tiny_data, *classifier, SETTINGS, progress, cancel, None, None, finished)
    other = replace(tiny_data, test=Split(tiny_data.test.images.flip(-1), tiny_data.test.labels))
    calls.clear()
    evaluate([vae], other, *classifier, SETTINGS, None, None, None, None, finished)
    assert calls == {"per_image_terms": 1, "generate": 1, "calibrate": 1}
