"""Closing the window in each long phase: the work stops cooperatively and promptly.

Each test holds the first call of one phase's function at its entry until the close has set
that call's cancel event, then lets the real function run: only *when* the phase is entered
is arranged here, and the real code must notice the cancel and stop. The os._exit fallback
of closeEvent must not be reached and every background thread must have ended.
"""

from __future__ import annotations

import inspect
import os
import threading
import time

import pytest
import torch
from PySide6.QtGui import QCloseEvent

import trainer.evaluation.run_stages
import trainer.metrics.classifier
import trainer.sampling.explore
from fmgen_gui.explorer import chain_view
from fmgen_gui.session import LOADED, remembered_runs
from fmgen_gui.training import job as training_job
from tests.gui_helpers import EventLog, make_window, set_tiny_config
from tests.runs import tiny_run
from trainer.cli.train import main as train_cli
from trainer.common.errors import Cancelled
from trainer.common.events import RunStarted, RunStopped
from trainer.learners import VAELearner
from trainer.runs.checkpoint import load_checkpoint
from trainer.runs.snapshots import snapshot_path

pytestmark = pytest.mark.timeout(300)
# The target is 1 s with the CPU defaults (benchmarks/close_latency.py measures it); this bound
# only has to hold on a loaded two-core test machine.
CLOSE_BOUND_S = 5.0


class PhaseGate:
    """Holds the first call of `owner.name` until its cancel is set, then runs the real one."""

    def __init__(self, monkeypatch, owner, name: str) -> None:
        self.real = getattr(owner, name)
        self.signature = inspect.signature(self.real)
        self.entered = threading.Event()
        self.outcome = "not entered"

        def gate(*args, **kwargs):
            return self.call(*args, **kwargs)

        monkeypatch.setattr(owner, name, gate)

    def call(self, *args, **kwargs):
        if self.entered.is_set():
            return self.real(*args, **kwargs)
        cancel = self.signature.bind(*args, **kwargs).arguments["cancel"]
        self.entered.set()
        cancel.wait(60)  # the close sets it
        try:
            result = self.real(*args, **kwargs)
        except Cancelled:
            self.outcome = "cancelled"
            raise
        self.outcome = "ran to its end"
        return result


@pytest.fixture
def exits(monkeypatch):
    """Records calls of os._exit instead of ending the test process."""
    calls: list[int] = []
    monkeypatch.setattr(os, "_exit", calls.append)
    return calls


def close_in_phase(qtbot, window, gate: PhaseGate, exits: list[int]) -> float:
    """Wait until the phase is entered, close the window; check the close; its seconds."""
    qtbot.waitUntil(gate.entered.is_set, timeout=120000)
    started = time.perf_counter()
    window.close()
    seconds = time.perf_counter() - started
    assert exits == [], "the os._exit fallback was reached"
    runners = (
        window.controller.runner,
        window.explorer.loader.runner,
        window.classifier.runner,
        window.report.runner,
    )
    assert not any(runner._thread.isRunning() for runner in runners)
    assert gate.outcome == "cancelled"
    assert seconds < CLOSE_BOUND_S
    return seconds


def vae_window(qtbot, tmp_path, data_dir):
    window = make_window(qtbot, tmp_path, data_dir)
    window.open_run(tiny_run("vae", data_dir, tmp_path / "runs"))
    return window


def test_close_while_loading_the_training_data(qtbot, tmp_path, tiny_data_dir, monkeypatch, exits):
    gate = PhaseGate(monkeypatch, training_job, "load_fashion_mnist")
    window = make_window(qtbot, tmp_path, tiny_data_dir)
    log = EventLog(window)
    window.training.start_button.click()
    close_in_phase(qtbot, window, gate, exits)
    assert not log.has(RunStarted) and not window.controller.is_busy()


def test_close_at_the_end_of_a_training_epoch(qtbot, tmp_path, tiny_data_dir, monkeypatch, exits):
    gate = PhaseGate(monkeypatch, VAELearner, "evaluate")
    window = make_window(qtbot, tmp_path, tiny_data_dir)
    set_tiny_config(window, tiny_data_dir, epochs=500)
    log = EventLog(window)
    window.training.start_button.click()
    close_in_phase(qtbot, window, gate, exits)
    qtbot.waitUntil(lambda: log.has(RunStopped), timeout=5000)  # queued before the thread ended
    checkpoint = load_checkpoint(log.of(RunStopped)[-1].checkpoint)
    assert (checkpoint.epoch, checkpoint.batch_in_epoch) == (0, 7)  # a resume ends epoch 1


@pytest.mark.parametrize("via", ["evaluation", "explorer"])
def test_close_while_training_the_classifier(
    qtbot, tmp_path, tiny_data_dir, monkeypatch, exits, via
):
    gate = PhaseGate(monkeypatch, trainer.metrics.classifier, "train_classifier")
    window = vae_window(qtbot, tmp_path, tiny_data_dir)
    if via == "evaluation":
        window.report.evaluate()
    else:
        window.tabs.setCurrentWidget(window.explorer)
    close_in_phase(qtbot, window, gate, exits)


def test_close_while_encoding_the_test_set(qtbot, tmp_path, tiny_data_dir, monkeypatch, exits):
    gate = PhaseGate(monkeypatch, trainer.sampling.explore, "encode_means")
    window = vae_window(qtbot, tmp_path, tiny_data_dir)
    window.tabs.setCurrentWidget(window.explorer)
    close_in_phase(qtbot, window, gate, exits)


@pytest.mark.parametrize("step", ["describe", "per_image_terms", "generate", "compare"])
def test_close_while_evaluating(qtbot, tmp_path, tiny_data_dir, monkeypatch, exits, step):
    gate = PhaseGate(monkeypatch, trainer.evaluation.run_stages, step)
    window = vae_window(qtbot, tmp_path, tiny_data_dir)
    window.report.samples.setValue(200)
    window.report.iwae_k.setValue(2)
    window.report.evaluate()
    close_in_phase(qtbot, window, gate, exits)


def test_the_explorer_keeps_the_epoch_it_loaded_while_training_writes_the_next(
    qtbot, tmp_path, tiny_data_dir, monkeypatch
):
    entered, release = threading.Event(), threading.Event()
    real_encode = trainer.sampling.explore.encode_means

    def slow_encode(*args, **kwargs):  # holds the explorer's job after it read its snapshot
        entered.set()
        release.wait(60)
        return real_encode(*args, **kwargs)

    monkeypatch.setattr(trainer.sampling.explore, "encode_means", slow_encode)
    window = vae_window(qtbot, tmp_path, tiny_data_dir)
    folder = window.training.run_dirs["vae"]
    explorer = window.explorer
    window.tabs.setCurrentWidget(explorer)
    qtbot.waitUntil(entered.is_set, timeout=60000)
    resume = ["--resume", str(folder), "--epochs", "2", "--data-dir", str(tiny_data_dir)]
    assert train_cli(resume) == 0  # epoch 2 replaces checkpoint.pt meanwhile
    release.set()
    qtbot.waitUntil(lambda: explorer.interpolator is not None, timeout=60000)
    assert explorer.used.text() == "VAE, epoch 1"
    decoder = explorer.interpolator.decode.__self__.model.state_dict()  # the learner's
    epoch_1 = load_checkpoint(snapshot_path(folder, 1)).state["model"]
    assert all(torch.equal(decoder[name], epoch_1[name]) for name in epoch_1)
    explorer.loader.refresh("vae")  # the next refresh moves on to the new snapshot
    qtbot.waitUntil(lambda: explorer.used.text() == "VAE, epoch 2", timeout=60000)
    window.close()


def test_close_while_a_sample_chain_runs_in_its_open_view(
    qtbot, tmp_path, tiny_data_dir, monkeypatch, exits, small_networks
):
    gate = PhaseGate(monkeypatch, chain_view, "chain_frames")
    window = make_window(qtbot, tmp_path, tiny_data_dir)
    window.open_run(tiny_run("ddpm", tiny_data_dir, tmp_path / "runs"))
    view = window.explorer.watch_button.open_view()
    view.run_button.click()
    close_in_phase(qtbot, window, gate, exits)
    assert not view.runner._thread.isRunning() and not view.isVisible()


def test_a_close_that_times_out_still_keeps_the_session(qtbot, tmp_path, tiny_data_dir):
    """Issue 22 item 2: when a job outlasts the close's wait, the process ends (os._exit);
    the session (the runs loaded) was written before that wait, so the next start has them."""

    class Exited(Exception):
        """Stands in for os._exit, which must end closeEvent where it is."""

    def exit_now(code: int) -> None:
        raise Exited(code)

    window = vae_window(qtbot, tmp_path, tiny_data_dir)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(os, "_exit", exit_now)
        patch.setattr(window.controller, "shutdown", lambda timeout: False)  # a job outlasts it
        with pytest.raises(Exited):
            window.closeEvent(QCloseEvent())
    assert remembered_runs(window.settings, LOADED) == list(window.training.run_dirs.values())
