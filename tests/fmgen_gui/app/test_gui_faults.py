"""Faults met in the window: a clear message each, nothing lost, the app keeps working."""

from __future__ import annotations

import errno

import pytest
import torch

from fmgen_gui.data_words import APP_WAYS
from fmgen_gui.training.controller import IDLE
from tests.faults import DATA_FAULTS, FullDisk, broken_data
from tests.gui_helpers import EventLog, make_window, set_tiny_config
from tests.runs import tiny_run
from tests.trainer.cli.test_faults import CHECKPOINT_FAULTS
from trainer.common.events import RunFailed, RunStarted, StepLogged
from trainer.data.fashion_mnist import how_to_get_data
from trainer.learners import VAELearner
from trainer.runs.loading import load_learner

pytestmark = pytest.mark.timeout(180)
# The Data folder field's own check refuses these when Start is pressed, before any work.
CHECKED_BEFORE_WORK = {"missing folder", "missing file"}


def wait_for_failure(qtbot, window, log):
    qtbot.waitUntil(lambda: log.has(RunFailed) and window.controller.state == IDLE, timeout=120000)
    return log.of(RunFailed)[-1]


@pytest.mark.parametrize(("fault", "message"), DATA_FAULTS.items())
def test_each_data_fault_is_a_message_in_the_window(qtbot, tmp_path, fault, message):
    window = make_window(qtbot, tmp_path, broken_data(tmp_path, fault))
    log = EventLog(window)
    window.training.start_button.click()
    if fault in CHECKED_BEFORE_WORK:
        assert window.controller.state == IDLE and not log.has(RunStarted)
    else:
        wait_for_failure(qtbot, window, log)
    text = window.training.messages.text
    assert message in text and "Traceback" not in text
    if fault in CHECKED_BEFORE_WORK:  # named by the field, in the app's words
        assert text.startswith("Data folder ") and "--data-dir" not in text
    else:
        assert text.endswith(how_to_get_data(APP_WAYS)) and "--data-dir" not in text
    assert not (tmp_path / "runs").exists()  # a start that failed leaves no run folder
    assert window.training.start_button.isEnabled()
    window.close()


@pytest.mark.parametrize(("fault", "case"), CHECKPOINT_FAULTS.items())
def test_each_bad_checkpoint_is_a_message_in_the_window(
    qtbot, tmp_path, tiny_data_dir, monkeypatch, fault, case
):
    damage, message = case
    monkeypatch.chdir(tmp_path)
    folder = tiny_run("vae", tiny_data_dir, tmp_path / "runs")
    damage(folder / "checkpoint.pt")
    window = make_window(qtbot, tmp_path, tiny_data_dir)
    window.open_run(folder)
    assert message in window.training.messages.text
    assert not (tmp_path / "pwned").exists() and not window.models.has("vae")
    window.close()


def test_nan_stops_and_the_window_keeps_the_last_good_checkpoint(
    qtbot, tmp_path, tiny_data_dir, monkeypatch
):
    real_step = VAELearner.train_step

    def poisoned(self, images, labels=None):
        losses = real_step(self, images, labels)
        self.calls = getattr(self, "calls", 0) + 1
        if self.calls == 10:  # epoch 2 of 7-step epochs
            with torch.no_grad():
                next(self.model.parameters()).fill_(float("inf"))
            losses["loss"] = float("inf")
        return losses

    monkeypatch.setattr(VAELearner, "train_step", poisoned)
    window = make_window(qtbot, tmp_path, tiny_data_dir)
    set_tiny_config(window, tiny_data_dir, epochs=5)
    log = EventLog(window)
    window.training.start_button.click()
    failed = wait_for_failure(qtbot, window, log)
    assert failed.kind == "nan" and "step 10" in window.training.messages.text
    learner, checkpoint = load_learner(window.models.checkpoint_path("vae"), "vae")
    assert checkpoint.epoch == 1
    assert all(torch.isfinite(p).all() for p in learner.model.parameters())
    window.close()


def test_out_of_memory_is_a_message(qtbot, tmp_path, tiny_data_dir, monkeypatch):
    def no_memory(self, images, labels=None):
        raise torch.OutOfMemoryError("CUDA out of memory")

    monkeypatch.setattr(VAELearner, "train_step", no_memory)
    window = make_window(qtbot, tmp_path, tiny_data_dir)
    log = EventLog(window)
    window.training.start_button.click()
    assert wait_for_failure(qtbot, window, log).kind == "oom"
    assert "Try a smaller batch size" in window.training.messages.text
    window.close()


def test_a_full_or_read_only_disk_while_saving_is_a_message(
    qtbot, tmp_path, tiny_data_dir, monkeypatch
):
    window = make_window(qtbot, tmp_path, tiny_data_dir)
    window.open_run(tiny_run("vae", tiny_data_dir, tmp_path / "runs"))
    out = tmp_path / "out"
    figure, copy = out / "loss.png", out / "copy.pt"
    monkeypatch.setattr("fmgen_gui.main_window.ask_figure_path", lambda *args: figure)
    FullDisk(monkeypatch, "loss")
    window.save_view(window.training.views["vae"].plots[0])
    assert f"The figure was not saved: Disk full: {figure}" in window.training.messages.text
    FullDisk(monkeypatch, "copy", errno.EROFS)
    window.save_checkpoint("vae", copy)
    assert f"The checkpoint was not saved: Read-only disk: {copy}" in window.training.messages.text
    assert not list(out.iterdir())
    window.close()


def test_settings_cannot_change_while_training(qtbot, tmp_path, tiny_data_dir):
    window = make_window(qtbot, tmp_path, tiny_data_dir)
    set_tiny_config(window, tiny_data_dir, epochs=500)
    log = EventLog(window)
    window.training.start_button.click()
    qtbot.waitUntil(lambda: log.has(StepLogged), timeout=60000)
    assert not window.training.config_panel.isEnabled()
    window.training.stop()
    qtbot.waitUntil(lambda: window.controller.state == IDLE, timeout=30000)
    assert window.training.config_panel.isEnabled()
    window.close()


def test_a_second_window_on_the_same_run_folder_is_refused(qtbot, tmp_path, tiny_data_dir):
    folder = tiny_run("vae", tiny_data_dir, tmp_path / "runs")
    first = make_window(qtbot, tmp_path / "a", tiny_data_dir)
    second = make_window(qtbot, tmp_path / "b", tiny_data_dir)
    logs = EventLog(first), EventLog(second)
    for window in (first, second):
        window.open_run(folder)
        window.training.config_panel.epochs.setValue(500)
    first.training.resume_button.click()
    qtbot.waitUntil(lambda: logs[0].has(StepLogged), timeout=60000)
    second.training.resume_button.click()
    failed = wait_for_failure(qtbot, second, logs[1])
    assert failed.kind == "run_folder" and "is in use" in second.training.messages.text
    assert logs[0].has(RunStarted) and first.controller.is_busy()
    first.close()
    second.close()
