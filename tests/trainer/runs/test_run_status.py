"""run.json: a run folder tells readers whether it is running, finished, stopped, failed or dead."""

from __future__ import annotations

import json
import threading
import time

from tests.trainer.training.test_loop import run_all, tiny_config
from trainer.learners import VAELearner
from trainer.runs.folder import RunFolderLock
from trainer.runs.status import STALE_S, read_status
from trainer.training.loop import train

NAN = float("nan")


def test_a_finished_run_says_so(tiny_data, tmp_path):
    run_all(tiny_config(epochs=1), tiny_data, tmp_path / "run")
    status = read_status(tmp_path / "run")
    assert status.state == "finished" and status.epoch == 1 and status.step == status.total_steps
    assert not status.stale()


def test_a_stopped_run_and_a_running_one(tiny_data, tmp_path):
    stop = threading.Event()
    for event in train(tiny_config(epochs=3), tiny_data, tmp_path / "run", stop):
        if type(event).__name__ == "EpochEnded":
            assert read_status(tmp_path / "run").state == "running"
            stop.set()
    assert read_status(tmp_path / "run").state == "stopped"


def test_a_failed_run_keeps_its_message_and_a_failed_start_writes_nothing(
    tiny_data, tmp_path, monkeypatch
):
    monkeypatch.setattr(VAELearner, "train_step", lambda self, images, labels=None: {"loss": NAN})
    events = run_all(tiny_config(epochs=1), tiny_data, tmp_path / "run")
    assert events[-1].kind == "nan"
    status = read_status(tmp_path / "run")
    assert status.state == "failed" and status.message == events[-1].message
    monkeypatch.undo()
    run_all(tiny_config(epochs=1), tiny_data, tmp_path / "run2")
    before = (tmp_path / "run2" / "run.json").read_text()
    with RunFolderLock(tmp_path / "run2"):  # a second process holds the folder
        events = run_all(tiny_config(epochs=2), tiny_data, tmp_path / "run2")
    assert events[-1].kind == "run_folder"
    assert (tmp_path / "run2" / "run.json").read_text() == before


def test_a_silent_running_record_reads_as_dead(tmp_path):
    record = {
        "state": "running",
        "epoch": 1,
        "step": 5,
        "total_steps": 10,
        "updated": time.time() - STALE_S - 1,
        "host": "elsewhere",
        "message": "",
    }
    (tmp_path / "run.json").write_text(json.dumps(record))
    assert read_status(tmp_path).stale()
    (tmp_path / "run.json").write_text("{torn")
    assert read_status(tmp_path) is None
