"""Messages where the user is, about what is current: errors on the tab an action came from,
banners that go when their subject changes, marked fields named by their labels, a progress
panel of the shown run only, a resumed run's clock that goes on, plain words on precision."""

from __future__ import annotations

import pytest

from fmgen_gui.tasks import TaskRunner
from fmgen_gui.training.controller import IDLE
from fmgen_gui.widgets.progress import RunProgress
from tests.gui_helpers import make_window, set_tiny_config
from trainer.common.events import EpochEnded, RunFinished, RunStarted
from trainer.config.precision import plain_precision
from trainer.data.fashion_mnist import data_error
from trainer.runs.history import RunHistory


@pytest.fixture
def window(qtbot, tmp_path, tiny_data_dir):
    window = make_window(qtbot, tmp_path, tiny_data_dir)
    yield window
    window.close()


def started(model: str = "vae", step: int = 0, epoch: int = 0, **changes) -> RunStarted:
    """A RunStarted as the loop sends it: 100 steps an epoch, 10 epochs."""
    values = {
        "run_dir": "/tmp/run",
        "config": {"model": model, "precision": "auto"},
        "device": "cpu (2 threads)",
        "precision": "fp32",
        "precision_reason": "bf16 ran at only 0.02x fp32's speed in a probe on this machine",
        "data_source": "test",
        "train_size": 3200,
        "test_size": 320,
        "epoch": epoch,
        "step": step,
        "steps_per_epoch": 100,
        "total_steps": 1000,
    }
    return RunStarted(**{**values, **changes})


def test_a_file_menu_error_shows_on_the_tab_it_came_from(window):
    window.tabs.setCurrentWidget(window.report)
    window.save_checkpoint_dialog()  # nothing trained yet: refused with a message
    assert "checkpoint yet" in window.report.messages.text
    assert window.training.messages.text == ""


def test_a_banner_goes_when_the_model_or_data_source_it_was_about_changes(window, tiny_data_dir):
    messages = window.training.messages
    messages.show_message("The VAE run failed", "error")
    set_tiny_config(window, tiny_data_dir, model="gan")
    assert messages.text == ""
    messages.show_message("Data folder: missing files", "error")
    window.training.config_panel.data_dir.setText(str(tiny_data_dir / "other"))
    assert messages.text == ""


def test_the_progress_panel_never_shows_another_runs_numbers(window, tiny_data_dir):
    pane = window.training
    pane.running_model = "vae"
    pane.on_event(started(step=0))
    pane.on_event(RunFinished("/tmp/run", 10, 1000))
    assert pane.progress.run_bar.value() == 1000 and "VAE" in pane.progress_box.title()
    set_tiny_config(window, tiny_data_dir, model="gan")
    assert pane.progress.run_bar.format() == "not running"
    assert pane.progress.time_label.text() == "-" and pane.progress_box.title() == "Progress"


def test_a_one_epoch_run_finishes_in_1_epoch_not_1_epochs(window):
    # The trial's DDPM of one epoch ended with "Finished 1 epochs; ..." in the status bar.
    pane, said = window.training, []
    pane.status.connect(said.append)
    pane.running_model = "vae"
    pane.on_event(started(step=0))
    pane.on_event(RunFinished("/tmp/run", 1, 16))
    assert said[-1] == "Finished 1 epoch; run folder /tmp/run"


def test_a_resumed_runs_clock_goes_on_from_its_elapsed_time():
    history = RunHistory("vae")
    for epoch in (1, 2, 3):
        history.add(EpochEnded(epoch, epoch * 100, {}, {}, 20.0))
    assert history.trained_seconds(started(step=300, epoch=3)) == 60.0
    assert history.trained_seconds(started(step=350, epoch=3)) == 70.0  # a stop mid-epoch
    assert RunHistory("vae").trained_seconds(started()) == 0.0
    progress = RunProgress()
    progress.start(300, 100, 1000, elapsed_before=60.0)
    assert progress.time_label.text().startswith("1:00 trained")  # not 0:00
    progress.set_step(301)
    assert progress.eta() == pytest.approx(699 * 0.2, rel=0.05)  # the run's pace: 0.2 s a step


def test_the_status_bar_speaks_plainly_about_precision(window):
    assert plain_precision("fp32", "auto", "cpu (2 threads)") == "fp32"
    assert plain_precision("bf16", "auto", "cpu (2 threads)") == "bf16 (faster on this CPU)"
    assert plain_precision("bf16", "auto", "cuda:0 (H100)") == "bf16 (faster on this GPU)"
    assert plain_precision("bf16", "bf16", "cpu (2 threads)") == "bf16 (as asked)"
    assert plain_precision("bf16", "auto", "cpu", {"ratio": 1.5}) == "bf16 (1.50x fp32 on this CPU)"
    window.training.running_model = "vae"
    window.training.on_event(started())
    status = window.statusBar().currentMessage()
    assert status.endswith("in fp32") and "probe" not in status
    assert "0.02x" in window.speed_label.toolTip()  # the details, for who wants them


def test_the_status_bar_shows_what_auto_measured(window):
    reason = "bf16 trained this model 1.47x as fast as fp32 (3 rounds, ..., measured now)"
    evidence = {"ratio": 1.47, "spread": 0.04, "rounds": 3, "source": "measured"}
    window.training.running_model = "vae"
    window.training.on_event(
        started(precision="bf16", precision_reason=reason, precision_evidence=evidence)
    )
    status = window.statusBar().currentMessage()
    assert status.endswith("in bf16 (1.47x fp32 on this CPU)")
    assert window.speed_label.toolTip() == f"Precision bf16: {reason}"


def test_an_invalid_data_folder_is_marked_and_named_by_its_label(window, tmp_path):
    panel = window.training.config_panel
    panel.data_dir.setText(str(tmp_path / "no-such-folder"))
    window.training.start_button.click()
    assert window.controller.state == IDLE and not window.controller.is_busy()
    text = window.training.messages.text
    assert text.startswith("Data folder ") and "no such folder" in text and "--" not in text
    assert panel.data_dir.property("invalid")
    assert "border" in panel.data_dir.styleSheet() and "no such folder" in panel.data_dir.toolTip()
    panel.data_dir.setText(str(tmp_path))  # an edit: the mark goes
    assert panel.data_dir.styleSheet() == "" and panel.data_dir.property("invalid") is None


def test_an_invalid_learning_rate_is_marked(window):
    panel = window.training.config_panel
    panel.lr.setText("")
    window.training.start_button.click()
    assert "Learning rate" in window.training.messages.text
    assert "border" in panel.lr.styleSheet() and "not a number" in panel.lr.toolTip()
    panel.lr.setText("0.001")
    assert panel.lr.styleSheet() == ""


def test_an_explorer_banner_goes_when_its_source_changes(window, tmp_path):
    for model in ("vae", "gan"):  # two sources to choose from (not loaded: Explore is hidden)
        (tmp_path / f"{model}.pt").write_bytes(b"")
        window.models.set_checkpoint(model, tmp_path / f"{model}.pt")
    explorer = window.explorer
    assert explorer.model_choice.count() == 2
    explorer.messages.show_message("The VAE could not be loaded", "error")
    explorer.model_choice.setCurrentIndex(1 - explorer.model_choice.currentIndex())
    assert explorer.messages.text == ""


def test_data_found_nowhere_is_told_in_the_apps_words(window, qtbot, tmp_path, monkeypatch):
    # and no download
    monkeypatch.setattr("trainer.data.fashion_mnist.SYSTEM_DIR", tmp_path / "no-package")
    window.training.config_panel.data_dir.setText("")  # automatic
    window.training.start_button.click()
    qtbot.waitUntil(lambda: "not found" in window.training.messages.text, timeout=30000)
    text = window.training.messages.text
    assert "Data folder" in text and "apt-get install dataset-fashion-mnist" in text
    assert "--data-dir" not in text and "fmgen-train" not in text


def test_a_background_jobs_data_error_is_told_in_the_apps_words(qtbot):
    runner = TaskRunner("test")
    messages = []
    runner.failed.connect(lambda job, message: messages.append(message))

    def job(report, cancel):
        raise data_error("Fashion-MNIST was not found.")  # as Explore's or Evaluate's load

    runner.submit(job)
    try:
        qtbot.waitUntil(lambda: bool(messages), timeout=5000)
    finally:
        assert runner.shutdown()
    assert messages[0].startswith("Fashion-MNIST was not found.\nWays to get")
    assert "Data folder" in messages[0] and "--data-dir" not in messages[0]
