"""The training workspace as a user drives it (pytest-qt, offscreen)."""

from __future__ import annotations

import subprocess
import sys

import pytest
from PySide6.QtCore import QSettings

from fmgen_gui.app import display_problem, explain
from fmgen_gui.main_window import MainWindow
from fmgen_gui.training.controller import IDLE, PAUSED
from fmgen_gui.training.pane import REFRESH_MS
from tests.gui_helpers import EventLog, make_window, set_tiny_config
from trainer.cli.train import main as train_cli
from trainer.common.events import (
    CheckpointSaved,
    RunFailed,
    RunFinished,
    RunStarted,
    RunStopped,
    SamplesReady,
    StepLogged,
)
from trainer.learners import VAELearner
from trainer.runs.loading import load_learner

pytestmark = pytest.mark.timeout(120)


@pytest.fixture
def window(qtbot, tmp_path, tiny_data_dir):
    window = make_window(qtbot, tmp_path, tiny_data_dir)
    yield window
    window.close()
    assert not window.controller.is_busy()


def test_a_run_feeds_the_plots_grids_progress_and_model_store(window, qtbot):
    log = EventLog(window)
    window.training.start_button.click()
    qtbot.waitUntil(lambda: log.has(RunFinished), timeout=60000)
    qtbot.waitUntil(lambda: window.controller.state == IDLE)
    view = window.training.views["vae"]
    logged = len(log.of(StepLogged))
    assert logged >= 1
    qtbot.waitUntil(lambda: view.plots[0].point_count("step/loss") == logged)
    qtbot.waitUntil(lambda: view.plots[1].point_count("test/neg_elbo") == 2)  # redraws coalesce
    assert view.plots[1].point_count("train/neg_elbo") == 2
    assert sorted(view.grids["samples"].grids) == [1, 2]
    assert view.grids["reconstructions"].shown_epoch == 2
    assert view.summary.text().startswith("Epoch 2: test -ELBO")
    assert window.training.progress.run_bar.value() == 14
    assert window.models.has("vae") and not window.models.has("gan")
    learner, checkpoint = load_learner(window.models.checkpoint_path("vae"), "vae")
    assert checkpoint.epoch == 2 and learner.device.type == "cpu"
    assert window.training.resume_button.isEnabled()


def test_pause_holds_the_step_count_and_continue_goes_on(window, qtbot):
    set_tiny_config(window, window.training.config_panel.data_dir.text(), epochs=500)
    log = EventLog(window)
    window.training.start_button.click()
    qtbot.waitUntil(lambda: len(log.of(StepLogged)) >= 2, timeout=60000)
    window.training.pause_button.click()
    qtbot.waitUntil(lambda: window.controller.state == PAUSED, timeout=10000)
    assert window.training.pause_button.text() == "Continue"
    steps_at_pause = len(log.of(StepLogged))
    qtbot.wait(REFRESH_MS + 100)  # a refresh in between must not bring back images/s
    assert len(log.of(StepLogged)) == steps_at_pause
    assert window.speed_label.text() == "paused"
    window.training.pause_button.click()
    qtbot.waitUntil(lambda: len(log.of(StepLogged)) > steps_at_pause + 2, timeout=30000)


def test_stop_saves_and_resume_continues_the_step_count(window, qtbot):
    set_tiny_config(window, window.training.config_panel.data_dir.text(), epochs=500)
    log = EventLog(window)
    window.training.start_button.click()
    qtbot.waitUntil(lambda: len(log.of(StepLogged)) >= 3, timeout=60000)
    window.training.stop_button.click()
    qtbot.waitUntil(lambda: window.controller.state == IDLE, timeout=30000)
    (stopped,) = log.of(RunStopped)
    assert log.of(CheckpointSaved)[-1].step == stopped.step
    assert window.training.resume_button.isEnabled()
    window.training.resume_button.click()
    qtbot.waitUntil(lambda: len(log.of(RunStarted)) == 2, timeout=60000)
    assert log.of(RunStarted)[1].step == stopped.step
    window.training.stop_button.click()
    qtbot.waitUntil(lambda: window.controller.state == IDLE, timeout=30000)


def test_closing_during_training_stops_the_thread_promptly(qtbot, tmp_path, tiny_data_dir):
    window = make_window(qtbot, tmp_path, tiny_data_dir)
    set_tiny_config(window, tiny_data_dir, epochs=500)
    log = EventLog(window)
    window.training.start_button.click()
    qtbot.waitUntil(lambda: len(log.of(StepLogged)) >= 2, timeout=60000)
    window.close()  # blocks until the worker has stopped (bounded by CLOSE_TIMEOUT_S)
    assert not window.controller.is_busy()
    qtbot.wait(50)  # let the queued last events arrive
    stopped = log.of(RunStopped)
    assert stopped, "the run did not stop cooperatively"
    assert log.of(CheckpointSaved)[-1].step == stopped[-1].step  # its state is on disk
    # How fast the close is, is measured by benchmarks/gui_responsiveness.py, not asserted.


def test_an_injected_failure_shows_a_message_and_the_window_stays_usable(
    window, qtbot, monkeypatch
):
    real_step = VAELearner.train_step

    def fail_at_third(self, images, labels=None):
        self.calls = getattr(self, "calls", 0) + 1
        if self.calls == 3:
            raise RuntimeError("injected fault")
        return real_step(self, images, labels)

    monkeypatch.setattr(VAELearner, "train_step", fail_at_third)
    log = EventLog(window)
    window.training.start_button.click()
    qtbot.waitUntil(lambda: window.controller.state == IDLE and log.has(RunFailed), timeout=60000)
    messages = window.training.messages
    assert messages.kind == "error" and "injected fault" in messages.text
    assert window.training.start_button.isEnabled()
    monkeypatch.setattr(VAELearner, "train_step", real_step)
    window.training.start_button.click()
    qtbot.waitUntil(lambda: log.has(RunFinished), timeout=60000)


def test_missing_data_is_reported_before_any_work_with_what_to_do(window, qtbot, tmp_path):
    window.training.config_panel.data_dir.setText(str(tmp_path / "no-such-folder"))
    window.training.start_button.click()
    assert window.controller.state == IDLE  # refused on the spot, not by the training job
    text = window.training.messages.text
    assert "no such folder" in text and "Choose a folder with the four" in text


def test_an_invalid_field_is_refused_with_a_message(window, qtbot):
    panel = window.training.config_panel
    qtbot.keyClicks(panel.lr, "x")  # the validator refuses the keystroke
    assert panel.lr.text() == "0.001"
    panel.lr.setText("0")  # beyond the validator: the config check refuses it
    window.training.start_button.click()
    assert window.controller.state == IDLE and not window.controller.is_busy()
    assert "Learning rate: 0.0 must be above 0" in window.training.messages.text
    panel.lr.setText("")  # the validator lets an unfinished edit through
    window.training.start_button.click()
    assert "Learning rate: '' is not a number" in window.training.messages.text
    assert panel.epochs.minimum() == 1 and panel.batch_size.minimum() == 1


def test_the_data_folder_field_is_readable_in_its_narrow_column(window, tiny_data_dir):
    field = window.training.config_panel.data_dir
    assert field.toolTip() == str(tiny_data_dir)  # the whole path, however narrow the field
    field.setText("")
    assert field.fontMetrics().horizontalAdvance(field.placeholderText()) < field.width() - 10
    assert "Debian" in field.toolTip()


def test_start_twice_is_refused(window, qtbot):
    set_tiny_config(window, window.training.config_panel.data_dir.text(), epochs=500)
    window.training.start_button.click()
    assert not window.training.start_button.isEnabled()
    window.training.start()  # e.g. a shortcut racing the button state
    assert "already going" in window.training.messages.text
    window.training.stop()
    qtbot.waitUntil(lambda: window.controller.state == IDLE, timeout=30000)
    assert window.training.messages.text == ""  # no run is going any more


def test_vae_then_gan_in_one_session_keeps_both(window, qtbot, tiny_data_dir):
    log = EventLog(window)
    window.training.start_button.click()
    qtbot.waitUntil(lambda: len(log.of(RunFinished)) == 1, timeout=60000)
    qtbot.waitUntil(lambda: window.controller.state == IDLE)
    set_tiny_config(window, tiny_data_dir, model="gan", epochs=2)
    assert window.training.stack.currentWidget() is window.training.views["gan"]
    window.training.start_button.click()
    qtbot.waitUntil(lambda: len(log.of(RunFinished)) == 2, timeout=60000)
    assert window.models.has("vae") and window.models.has("gan")
    gan_view = window.training.views["gan"]
    qtbot.waitUntil(lambda: gan_view.plots[1].point_count("step/d_real") > 0)
    assert [e.name for e in log.of(SamplesReady)][-1] == "samples"
    assert window.training.views["vae"].grids["samples"].grids  # the VAE's grids stay


def test_opening_a_cli_run_folder_loads_its_curves_and_grids(window, tiny_data_dir, tmp_path):
    out = tmp_path / "cli"
    args = [
        "--model",
        "gan",
        "--epochs",
        "2",
        "--batch-size",
        "20",
        "--latent-dim",
        "3",
        "--log-every",
        "1",
        "--device",
        "cpu",
    ]
    assert train_cli([*args, "--data-dir", str(tiny_data_dir), "--out", str(out)]) == 0
    (folder,) = out.iterdir()
    window.open_run(folder)
    view = window.training.views["gan"]
    assert window.training.stack.currentWidget() is view
    view.plots[0].redraw()
    assert view.plots[0].point_count("step/d_loss") == 20
    assert sorted(view.grids["samples"].grids) == [1, 2]
    assert window.training.config_panel.latent_dim.value() == 3
    assert window.models.checkpoint_path("gan") == folder / "checkpoint.pt"
    assert window.training.resume_button.isEnabled()


def test_opening_a_bad_checkpoint_shows_a_message(window, tmp_path):
    bad = tmp_path / "bad.pt"
    bad.write_bytes(b"not a checkpoint")
    window.open_run(bad)
    assert "not a readable checkpoint" in window.training.messages.text


@pytest.mark.parametrize("suffix", [".png", ".svg", ".pdf"])
def test_save_a_plot_and_a_grid(window, qtbot, tmp_path, suffix):
    log = EventLog(window)
    window.training.start_button.click()
    qtbot.waitUntil(lambda: log.has(RunFinished), timeout=60000)
    view = window.training.views["vae"]
    view.plots[0].redraw()
    plot_file = view.plots[0].save_figure(tmp_path / f"loss{suffix}")
    grid_file = view.grids["samples"].save_figure(tmp_path / f"grid{suffix}")
    for path in (plot_file, grid_file):
        assert path.stat().st_size > 500
    if suffix == ".pdf":
        assert plot_file.read_bytes().startswith(b"%PDF")
    if suffix == ".svg":
        svg = plot_file.read_text()
        for text in ("nats per image", "reconstruction", "KL", "step"):
            assert text in svg, f"{text!r} missing from the exported plot"
        assert "epoch 2" in grid_file.read_text()


def test_settings_are_remembered(qtbot, tmp_path, tiny_data_dir):
    first = make_window(qtbot, tmp_path, tiny_data_dir)
    first.training.config_panel.seed.setValue(1234)
    first.training.config_panel.model.setCurrentIndex(1)  # GAN
    first.close()
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    second = MainWindow(settings=settings, runs_dir=tmp_path / "runs")
    qtbot.addWidget(second)
    panel = second.training.config_panel
    assert panel.model_key == "gan"
    assert panel.data_dir.text() == str(tiny_data_dir)
    panel.model.setCurrentIndex(0)
    assert panel.seed.value() == 1234 and panel.latent_dim.value() == 4


def test_no_display_gives_one_clear_message():
    assert display_problem({"QT_QPA_PLATFORM": "offscreen"}) is None
    problem = display_problem({"PATH": "/usr/bin"})
    assert problem == "no display: neither DISPLAY nor WAYLAND_DISPLAY is set"
    message = explain(problem)
    assert "xvfb-run -a fmgen" in message and "fmgen-train" in message
    assert "libxcb-cursor0" in message


def test_an_unreachable_x_display_is_named():
    env = {"PATH": "/usr/bin:/bin", "HOME": "/tmp", "DISPLAY": ":77"}
    assert display_problem(env) == "the X display ':77' cannot be reached"


def test_leaving_flushes_what_was_printed_and_exits_with_the_code():
    """The app ends with os._exit once its window has closed: nothing printed may be lost."""
    script = "from fmgen_gui.app import leave; print('said', end=''); leave(3)"
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120
    )
    assert (result.returncode, result.stdout) == (3, "said")


def test_fmgen_without_a_display_exits_1_with_the_message():
    env = {"PATH": "/usr/bin:/bin", "HOME": "/tmp"}
    result = subprocess.run(
        [sys.executable, "-c", "from fmgen_gui.app import main; raise SystemExit(main([]))"],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert result.returncode == 1
    assert result.stderr.startswith("fmgen: cannot open a window: no display")
    assert "Traceback" not in result.stderr
