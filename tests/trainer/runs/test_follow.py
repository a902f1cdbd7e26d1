"""Following a run folder another process writes: torn lines, half-written grids, heartbeats."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time

import numpy as np

from tests.runs import tiny_run
from trainer.runs.follow import RunFollower
from trainer.runs.history import RunHistory
from trainer.runs.status import STALE_S


def _feed(history: RunHistory, follower: RunFollower):
    update = follower.poll()
    for event in update.events:
        history.add(event)
    return update


def _same(followed: RunHistory, finished: RunHistory) -> None:
    assert followed.series.keys() == finished.series.keys()
    for key, series in finished.series.items():
        np.testing.assert_array_equal(followed.series[key].y, series.y, err_msg=key)
    assert {k: sorted(v) for k, v in followed.grids.items()} == {
        k: sorted(v) for k, v in finished.grids.items()
    }


def test_torn_lines_and_half_written_grids_wait_for_the_next_poll(tiny_data_dir, tmp_path):
    source = tiny_run("vae", tiny_data_dir, tmp_path / "remote", epochs=2)
    followed = tmp_path / "mount" / source.name
    (followed / "samples").mkdir(parents=True)
    follower, history = RunFollower(followed), RunHistory("vae")
    lines = (source / "metrics.jsonl").read_bytes().splitlines(keepends=True)
    with open(followed / "metrics.jsonl", "ab") as out:
        for line in lines:
            out.write(line[:7])  # a torn line: the writer is in the middle of it
            out.flush()
            before = sum(s.size for s in history.series.values())
            _feed(history, follower)
            assert sum(s.size for s in history.series.values()) == before
            out.write(line[7:])
            out.flush()
            _feed(history, follower)
    for grid in sorted((source / "samples").iterdir()):
        data = grid.read_bytes()
        (followed / "samples" / grid.name).write_bytes(data[: len(data) // 2])  # part one
        _feed(history, follower)
        (followed / "samples" / grid.name).write_bytes(data)
        _feed(history, follower)
    _same(history, RunHistory.from_folder(source))

    shutil.copy(source / "run.json", followed / "run.json")
    assert _feed(history, follower).status.state == "finished"
    record = json.loads((followed / "run.json").read_text())
    record.update(state="running", updated=time.time() - STALE_S - 60)
    (followed / "run.json").write_text(json.dumps(record))
    update = _feed(history, follower)
    assert update.status.stale() and update.silent_for() > STALE_S
    shutil.rmtree(followed)
    assert follower.poll().vanished


def test_following_a_live_fmgen_train_reaches_the_finished_folder(tiny_data_dir, tmp_path):
    out = tmp_path / "runs"
    args = ["--model", "gan", "--epochs", "3", "--batch-size", "25", "--latent-dim", "4"]
    args += ["--device", "cpu", "--data-dir", str(tiny_data_dir), "--out", str(out)]
    args += ["--run-name", "live", "--log-every", "1"]
    writer = subprocess.Popen([sys.executable, "-m", "trainer", *args])
    follower, history = RunFollower(out / "live"), RunHistory("gan")
    states = set()
    while writer.poll() is None:
        update = _feed(history, follower)
        if update.status:
            states.add(update.status.state)
        time.sleep(0.05)
    assert writer.returncode == 0
    states.add(_feed(history, follower).status.state)
    assert "finished" in states
    _same(history, RunHistory.from_folder(out / "live"))
