"""A run's training time: kept in its checkpoint, so a resumed run's clock goes on (defect 11)."""

from __future__ import annotations

import threading
import time
from dataclasses import replace

import pytest

from tests.gui_helpers import make_window
from tests.runs import run_all, tiny_config
from trainer.common.errors import CheckpointError
from trainer.common.events import Paused, RunStarted, StepLogged
from trainer.runs.checkpoint import load_checkpoint, save_checkpoint
from trainer.training.loop import train

pytestmark = pytest.mark.timeout(300)


def test_a_resumed_runs_clock_goes_on_from_where_the_stopped_run_was(
    qtbot, tmp_path, tiny_data, tiny_data_dir
):
    """The trial: "1:44" at the close, "1:22" 20 s after the resume; before a first epoch had
    ended, the clock even started again from 0:00."""
    config = tiny_config(log_every=1)
    stop, pause = threading.Event(), threading.Event()
    for event in train(config, tiny_data, tmp_path / "run", stop_event=stop, pause_event=pause):
        if isinstance(event, RunStarted):  # the clock starts here: setup is not training time
            began = time.perf_counter()
        elif isinstance(event, StepLogged) and event.step == 3:  # in the first epoch
            time.sleep(1.0)  # the run trains (the loop waits on its reader): counted
            pause.set()
        elif isinstance(event, Paused):
            time.sleep(1.0)  # paused: not counted
            stop.set()
    wall = time.perf_counter() - began
    stopped = load_checkpoint(tmp_path / "run")
    assert stopped.epoch == 0 and stopped.seconds is not None
    # The second asleep while paused is left out (0.2 s: the events' own hand-over time).
    assert 1.0 <= stopped.seconds <= wall - 0.8

    began = time.perf_counter()
    resumed = run_all(config, tiny_data, tmp_path / "run", resume=stopped)
    wall = time.perf_counter() - began
    assert isinstance(resumed[0], RunStarted) and resumed[0].seconds_before == stopped.seconds
    finished = load_checkpoint(tmp_path / "run")
    assert stopped.seconds < finished.seconds <= stopped.seconds + wall

    window = make_window(qtbot, tmp_path, tiny_data_dir)
    progress = window.training.progress
    window.training.running_model = "vae"
    window.training.on_event(resumed[0])
    assert stopped.seconds <= progress.elapsed() < stopped.seconds + 0.5
    shown, words = progress.time_label.text().split(" ", 1)
    minutes, seconds = shown.split(":")
    assert words.startswith("trained") and 60 * int(minutes) + int(seconds) >= 1  # not 0:00
    window.close()


def test_the_train_tab_says_what_its_clock_counts(qtbot, tmp_path, tiny_data_dir):
    window = make_window(qtbot, tmp_path, tiny_data_dir)
    progress = window.training.progress
    label = progress.layout().labelForField(progress.time_label)
    assert label.text() == "Training time"
    for words in ("wall-clock", "pauses left out", "all its sessions"):
        assert words in label.toolTip() and words in progress.time_label.toolTip()
    window.close()


@pytest.mark.parametrize("seconds", [-1.0, float("nan"), "soon"])
def test_a_damaged_training_time_is_a_damaged_checkpoint(tmp_path, tiny_data, seconds):
    run_all(tiny_config(epochs=1), tiny_data, tmp_path / "run")
    checkpoint = load_checkpoint(tmp_path / "run")
    save_checkpoint(checkpoint.path, replace(checkpoint, seconds=seconds))
    with pytest.raises(CheckpointError, match="damaged fmgen checkpoint"):
        load_checkpoint(tmp_path / "run")
