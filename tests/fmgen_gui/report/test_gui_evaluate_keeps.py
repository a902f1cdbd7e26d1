"""The Evaluate tab keeps its results: a new run adds to them, a restart shows them again, and
a wait for the classifier shows that job's progress and counts in the elapsed time."""

from __future__ import annotations

import os
import re
import time

import pytest

import trainer.metrics.classifier
from fmgen_gui.report.pane import UNCHANGED_WORDS
from tests.fmgen_gui.app.test_gui_session import reopened
from tests.gui_helpers import make_window
from tests.runs import tiny_run
from trainer.evaluation.evaluate import CLASSIFIER, SAMPLES
from trainer.metrics.classifier import cache_path, save_classifier, train_classifier
from trainer.runs.pins import run_key

pytestmark = pytest.mark.timeout(600)


@pytest.fixture
def window(qtbot, tmp_path, tiny_data, tiny_data_dir):
    save_classifier(*train_classifier(tiny_data, epochs=1), cache_path(tiny_data.fingerprint()))
    window = make_window(qtbot, tmp_path, tiny_data_dir)
    window.open_run(tiny_run("vae", tiny_data_dir, tmp_path / "vae"))
    window.report.samples.setValue(100)
    window.report.iwae_k.setValue(2)
    yield window
    window.close()


def test_the_wait_for_the_classifier_shows_its_job_and_counts(window, qtbot):
    pane = window.report
    # as Explore's classifier job holds it while training
    trainer.metrics.classifier._TRAINING.acquire()
    try:
        pane.evaluate_button.click()
        assert pane.stages.details[SAMPLES].text() == "after the classifier"
        # What that job reports through the service (every 50 batches: the tiny data has 12).
        words = "Training the classifier the scores use: epoch 3 of 6"
        window.classifier.progress.emit(0.4, words)
        assert pane.stages.details[CLASSIFIER].text() == words
        assert pane.stages.bars[CLASSIFIER].value() == 400
        qtbot.wait(2500)
    finally:
        trainer.metrics.classifier._TRAINING.release()
    qtbot.waitUntil(lambda: pane.evaluation is not None, timeout=300_000)
    found = re.match(
        r"Evaluated in (\d+) s, including (\d+) s training the classifier;", pane.status.text()
    )
    assert found, pane.status.text()
    total, waited = int(found[1]), int(found[2])
    assert waited >= 2 and total >= waited  # wall clock from the click, the wait included


def test_a_new_run_is_added_and_a_restart_shows_the_results_again(
    window, qtbot, tmp_path, tiny_data_dir
):
    pane = window.report
    vae = run_key(window.models.checkpoint_path("vae").parent)
    pane.evaluate_button.click()
    qtbot.waitUntil(lambda: pane.evaluation is not None, timeout=300_000)
    kept, calibration = pane.evaluation.runs[vae], pane.evaluation.metrics["calibration"]

    gan_folder = tiny_run("gan", tiny_data_dir, tmp_path / "gan")
    window.open_run(gan_folder)  # a model trained after the evaluation
    assert not pane.is_stale() and pane.export_button.isEnabled() and pane.text.isEnabled()
    assert pane.stale.text() == f"not evaluated yet: {gan_folder.name} (Evaluate adds it)"
    pane.evaluate_button.click()
    qtbot.waitUntil(lambda: len(pane.evaluation.runs) == 2, timeout=300_000)
    assert pane.evaluation.runs[vae] is kept  # not evaluated again
    assert "(the results of VAE kept as they were)" in pane.status.text()
    assert pane.evaluation.metrics["calibration"] is calibration  # nor the floor and noise rows
    assert list(pane.evaluation.metrics["runs"]) == [vae, gan_folder.name]
    assert pane.stale.text() == "" and pane.export_button.isEnabled()
    window.close()

    again = reopened(qtbot, tmp_path)
    assert list(again.report.evaluation.runs) == [vae, gan_folder.name]
    assert again.report.status.text().startswith("Results of the last session")
    assert again.report.export_button.isEnabled() and not again.report.is_stale()
    assert (again.report.samples.value(), again.report.iwae_k.value()) == (100, 2)
    again.close()

    checkpoint = gan_folder / "checkpoint.pt"
    os.utime(checkpoint, ns=(time.time_ns(), time.time_ns() + 10**9))  # trained on since
    third = reopened(qtbot, tmp_path)
    assert third.report.evaluation is None
    third.close()


def test_metrics_json_that_cannot_be_written_is_a_message_and_the_results_stay(window, qtbot):
    """A folder where metrics.json goes (as a full disk would): before, the slot raised."""
    pane = window.report
    folder = window.models.checkpoint_path("vae").parent
    (folder / "metrics.json").mkdir()
    pane.evaluate_button.click()
    qtbot.waitUntil(lambda: pane.evaluation is not None, timeout=300_000)
    assert pane.messages.kind == "error"
    assert "metrics.json was not written" in pane.messages.text
    assert "metrics.json" in pane.messages.text and str(folder) in pane.messages.text
    assert "metrics.json not written (see the message above)" in pane.status.text()
    assert pane.export_button.isEnabled()


def test_other_samples_or_k_evaluate_every_run_again_and_say_so(window, qtbot):
    pane = window.report
    pane.evaluate_button.click()
    qtbot.waitUntil(lambda: pane.evaluation is not None, timeout=300_000)
    first = pane.evaluation
    pane.iwae_k.setValue(3)  # another IWAE k: no row of the shown results can be kept
    pane.evaluate_button.click()
    assert pane.stale.text() == "evaluating every run again: Samples or IWAE k changed…"
    qtbot.waitUntil(lambda: pane.evaluation is not first, timeout=300_000)
    assert all(pane.evaluation.runs[key] is not run for key, run in first.runs.items())
    assert "kept as they were" not in pane.status.text() and pane.stale.text() == ""


def test_evaluate_after_a_restart_keeps_the_unchanged_results(window, qtbot, tmp_path):
    """Issue 22 item 5: the last evaluation comes back through save_last/load_last (and the
    classifier from its cache); Evaluate with nothing changed keeps every run and says so."""
    for cached in cache_path("").parent.glob("*.pt"):  # the first session trains it
        cached.unlink()
    window.report.evaluate_button.click()
    qtbot.waitUntil(lambda: window.report.evaluation is not None, timeout=300_000)
    window.close()
    pane = reopened(qtbot, tmp_path).report
    restored = pane.evaluation
    assert restored is not None and pane.export_button.isEnabled()
    pane.evaluate_button.click()
    assert not pane.runner.is_busy()  # no minutes of work for the same numbers
    assert pane.evaluation is restored and pane.export_button.isEnabled()
    assert pane.status.text() == UNCHANGED_WORDS
    pane.iwae_k.setValue(3)  # a change: Evaluate works again
    pane.evaluate_button.click()
    assert pane.runner.is_busy()
    qtbot.waitUntil(lambda: not pane.runner.is_busy(), timeout=300_000)
