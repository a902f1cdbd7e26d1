"""The app remembers: a restart reopens the loaded runs and offers to resume a cut-short one."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QSettings

from fmgen_gui.main_window import MainWindow
from fmgen_gui.report.evaluated import LAST_FILE, Evaluated, load_last, save_last
from tests.gui_helpers import EventLog, make_window, set_tiny_config
from tests.runs import tiny_run
from tests.trainer.report.test_remembering import kept_run
from trainer.common.events import EpochEnded, RunStarted, RunStopped
from trainer.common.files import user_cache_dir
from trainer.data.fashion_mnist import image_name, load_fashion_mnist
from trainer.evaluation.results import Evaluation
from trainer.report.options import ReportOptions
from trainer.runs.interrupted import interrupted_run
from trainer.runs.pins import Pin, run_key
from trainer.runs.status import read_status

pytestmark = pytest.mark.timeout(300)


def reopened(qtbot, tmp_path) -> MainWindow:
    """A new window on the same settings file: the next start of the app."""
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    window = MainWindow(settings=settings, runs_dir=tmp_path / "runs")
    qtbot.addWidget(window)
    window.show()
    return window


def test_a_restart_reopens_the_loaded_runs_and_skips_a_gone_one(qtbot, tmp_path, tiny_data_dir):
    window = make_window(qtbot, tmp_path, tiny_data_dir)
    vae = tiny_run("vae", tiny_data_dir, tmp_path / "vae")
    gan = tiny_run("gan", tiny_data_dir, tmp_path / "gan")
    window.open_run(vae)
    window.open_run(gan)
    window.close()

    again = reopened(qtbot, tmp_path)
    assert again.models.available() == ["vae", "gan"]
    assert again.models.checkpoint_path("vae").parent == vae
    assert [again.explorer.model_choice.itemData(i) for i in range(2)] == ["vae", "gan"]
    assert sorted(again.report.loaded_runs()) == sorted([vae.name, gan.name])
    assert not again.training.messages.text and again.training.resume_banner.isHidden()
    assert again.statusBar().currentMessage() == "Reopened 2 runs of the last session"
    again.close()

    shutil.rmtree(gan)  # deleted between two sessions
    (vae / "checkpoint.pt").write_bytes(b"not a checkpoint")  # and this one damaged
    third = reopened(qtbot, tmp_path)
    assert third.models.available() == []
    text = third.training.messages.text
    assert text.startswith("Not reopened: ") and f"{gan} (gone)" in text and vae.name in text
    third.close()


def test_a_kept_evaluation_that_cannot_be_shown_is_dropped_and_the_app_starts(qtbot, tmp_path):
    # Of the right types, so it passes load_last, but with no tables or histograms to show.
    kept = Evaluated(Evaluation({}, {"vae-1": kept_run("vae")}), ReportOptions(runs=()), {})
    save_last(kept)
    assert load_last(lambda key: []) == kept
    window = reopened(qtbot, tmp_path)
    assert window.report.evaluation is None and not window.report.text.toPlainText()
    assert not (user_cache_dir() / LAST_FILE).exists()  # the next start does not meet it
    assert window.report.status.text() == "Train or open runs, then press Evaluate."
    window.close()


def test_a_run_cut_short_by_closing_is_offered_for_resume(qtbot, tmp_path, tiny_data_dir):
    window = make_window(qtbot, tmp_path, tiny_data_dir)
    set_tiny_config(window, tiny_data_dir, epochs=50)
    log = EventLog(window)
    window.training.start_button.click()
    qtbot.waitUntil(lambda: log.epochs() >= 1, timeout=60_000)
    folder = window.training.run_dirs["vae"]
    window.close()  # stops the run: it saves a checkpoint and says 'stopped'
    assert read_status(folder).state == "stopped"

    again = reopened(qtbot, tmp_path)
    banner = again.training.resume_banner
    offer = interrupted_run(folder)
    assert offer is not None and offer.epochs == 50 and offer.epoch >= 1
    assert not banner.isHidden() and banner.shown == offer
    assert banner.text.startswith(f"Resume VAE run {folder.name} (epoch {offer.epoch} of 50)")
    assert again.models.checkpoint_path("vae").parent == folder  # the run is shown, too

    again.training.start_button.click()  # a new run would leave the stopped one behind
    assert not again.controller.is_busy()
    assert f"The VAE run {folder.name} stopped at epoch {offer.epoch} of 50" in banner.text
    assert not again.training.messages.text  # said once, in the banner that offers the run

    log = EventLog(again)
    banner.button.click()
    qtbot.waitUntil(lambda: log.has(RunStarted), timeout=60_000)
    assert log.of(RunStarted)[0].step > 0 and again.training.run_dirs["vae"] == folder
    assert banner.isHidden()
    qtbot.waitUntil(lambda: log.has(EpochEnded), timeout=60_000)
    again.training.stop()
    qtbot.waitUntil(lambda: log.has(RunStopped), timeout=60_000)
    again.close()


def crashed_run(tmp_path, data_dir) -> Path:
    """A VAE run of 2 epochs whose process died after the first (run.json still 'running')."""
    folder = tiny_run("vae", data_dir, tmp_path / "runs", epochs=1)
    status = json.loads((folder / "run.json").read_text())
    status.update(state="running", total_steps=status["total_steps"] * 2)
    (folder / "run.json").write_text(json.dumps(status))
    config = json.loads((folder / "config.json").read_text())
    (folder / "config.json").write_text(json.dumps({**config, "epochs": 2}))
    return folder


def test_resume_run_of_an_offered_run_stops_offering_it(qtbot, tmp_path, tiny_data_dir):
    folder = crashed_run(tmp_path, tiny_data_dir)
    window = make_window(qtbot, tmp_path, tiny_data_dir)
    window.training.resume_banner.offer([interrupted_run(folder)])
    window.open_run(folder)
    log = EventLog(window)
    window.training.resume_button.click()  # the usual button, not the banner's
    qtbot.waitUntil(lambda: log.has(RunStarted), timeout=60_000)
    assert window.training.resume_banner.isHidden()
    window.training.stop()
    qtbot.waitUntil(lambda: not window.controller.is_busy(), timeout=60_000)
    window.close()


def test_start_new_run_twice_starts_over_and_stops_offering(qtbot, tmp_path, tiny_data_dir):
    folder = crashed_run(tmp_path, tiny_data_dir)
    window = make_window(qtbot, tmp_path, tiny_data_dir)
    window.training.resume_banner.offer([interrupted_run(folder)])
    window.open_run(folder)
    assert window.training.resume_banner.shown.state == "dead"  # nobody holds its lock
    set_tiny_config(window, tiny_data_dir)
    window.training.start_button.click()
    # Said once: by the banner offering that run, with its Resume button, not in a second bar.
    assert "stopped at epoch 1 of 2" in window.training.resume_banner.text
    assert not window.training.messages.text
    log = EventLog(window)
    window.training.start_button.click()
    qtbot.waitUntil(lambda: log.has(RunStarted), timeout=60_000)
    assert window.training.run_dirs["vae"] != folder and log.of(RunStarted)[0].step == 0
    assert window.training.resume_banner.isHidden()
    window.training.stop()
    qtbot.waitUntil(lambda: log.has(RunStopped), timeout=60_000)
    window.close()


def test_with_the_offer_dismissed_start_new_run_says_it_in_the_message_bar(
    qtbot, tmp_path, tiny_data_dir
):
    folder = crashed_run(tmp_path, tiny_data_dir)
    window = make_window(qtbot, tmp_path, tiny_data_dir)
    window.training.resume_banner.offer([interrupted_run(folder)])
    window.open_run(folder)
    window.training.resume_banner.hide()  # its ✕
    window.training.start_button.click()
    assert not window.controller.is_busy()
    assert "stopped at epoch 1 of 2" in window.training.messages.text
    assert window.training.resume_banner.isHidden()
    window.close()


def test_explore_buttons_wait_for_a_model(qtbot, tmp_path, tiny_data_dir):
    window = make_window(qtbot, tmp_path, tiny_data_dir)
    window.tabs.setCurrentWidget(window.explorer)
    explorer = window.explorer
    assert not explorer.presets.between_button.isEnabled()
    assert not explorer.export_samples_button.isEnabled()
    assert not explorer.class_bar.isVisible()  # Generate N of a class: of no model yet
    window.open_run(tiny_run("vae", tiny_data_dir, tmp_path / "vae"))
    qtbot.waitUntil(lambda: explorer.candidates is not None, timeout=60_000)
    assert explorer.presets.between_button.isEnabled()
    assert explorer.export_samples_button.isEnabled()
    window.close()


def test_explore_shows_the_classifier_job_its_curves_wait_for(qtbot, tmp_path, tiny_data_dir):
    window = make_window(qtbot, tmp_path, tiny_data_dir)
    plot = window.explorer.path_plot
    ts = np.linspace(0, 1, 5)
    plot.set_path(ts, None, ts)  # a strip whose class curves wait for the classifier
    assert plot.note.text() == "The classifier is not ready yet."
    # What the classifier's job reports through the service, whichever tab asked for it.
    window.classifier.progress.emit(0.5, "Training the classifier the scores use: epoch 3 of 6")
    assert plot.note.text() == (
        "The classifier is not ready yet. "
        "Training the classifier the scores use: epoch 3 of 6 (50%)"
    )
    plot.set_path(ts, np.full((5, 10), 0.1), ts)
    window.classifier.progress.emit(0.6, "a late report")
    assert plot.note.text() == ""
    window.close()


def test_a_new_strip_keeps_showing_the_classifier_jobs_last_report(qtbot, tmp_path, tiny_data_dir):
    # The trial: the job had reported before the pair was picked, so the picked pair's note said
    # only "not ready yet" until the job's next report, a minute later on a busy CPU.
    window = make_window(qtbot, tmp_path, tiny_data_dir)
    plot = window.explorer.path_plot
    window.classifier.progress.emit(0.2, "Training the classifier the scores use: epoch 1 of 6")
    ts = np.linspace(0, 1, 5)
    plot.set_path(ts, None, ts)
    assert plot.note.text() == (
        "The classifier is not ready yet. "
        "Training the classifier the scores use: epoch 1 of 6 (20%)"
    )
    window.close()


def test_evaluate_samples_and_iwae_k_come_back_after_a_restart(qtbot, tmp_path, tiny_data_dir):
    """Issue 22 item 1: the user's last entries, not the defaults (nor a restored evaluation's)."""
    window = make_window(qtbot, tmp_path, tiny_data_dir)
    window.report.samples.setValue(2000)
    window.report.iwae_k.setValue(5)
    window.close()
    again = reopened(qtbot, tmp_path)
    assert (again.report.samples.value(), again.report.iwae_k.value()) == (2000, 5)
    again.close()


def test_the_pins_list_names_the_classes_after_a_restart(qtbot, tmp_path, tiny_data_dir):
    """Issue 22 item 7: the classes came from Explore's load only, so a restart listed the
    image numbers alone ('test images 1 to 2') until Explore loaded the data again."""
    window = make_window(qtbot, tmp_path, tiny_data_dir)
    vae = tiny_run("vae", tiny_data_dir, tmp_path / "vae")
    window.open_run(vae)
    window.pins.add(Pin(run_key(vae), "within", "test", 1, 2))
    window.close()
    again = reopened(qtbot, tmp_path)  # no event handled yet: Explore's load has not answered
    labels = load_fashion_mnist(tiny_data_dir).test.labels
    names = f"{image_name(labels, 1)} to {image_name(labels, 2)}"
    assert (
        again.report.pins_list.list.item(0).text()
        == f"{vae.name}: within, test images {names} (slerp, 9 images)"
    )
    again.close()
