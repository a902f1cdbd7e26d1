"""Per-epoch snapshots: published at each epoch's end, pruned to the newest three plus pins,
and what readers load while the run goes on."""

from __future__ import annotations

import os
import shutil
import threading

import pytest

from tests.trainer.training.test_loop import run_all, tiny_config
from trainer.common.events import CheckpointSaved, StepLogged
from trainer.runs.checkpoint import load_checkpoint
from trainer.runs.facts import read_run_facts
from trainer.runs.snapshots import (
    pin_path,
    reader_path,
    run_folder_of,
    snapshot_path,
    snapshots,
)
from trainer.training.loop import train

pytestmark = pytest.mark.timeout(300)


def test_each_epoch_end_publishes_a_hard_linked_snapshot(tiny_data, tmp_path):
    folder = tmp_path / "run"
    read_while_training = []
    for event in train(tiny_config(epochs=2), tiny_data, folder):
        if isinstance(event, CheckpointSaved):
            read_while_training.append(reader_path(folder))
            assert reader_path(folder / "checkpoint.pt") == read_while_training[-1]
    assert read_while_training == [snapshot_path(folder, 1), snapshot_path(folder, 2)]
    assert list(snapshots(folder)) == [1, 2]
    assert os.path.samefile(snapshot_path(folder, 2), folder / "checkpoint.pt")
    assert load_checkpoint(snapshot_path(folder, 1)).epoch == 1
    assert run_folder_of(snapshot_path(folder, 2)) == run_folder_of(folder / "checkpoint.pt")


def test_once_the_run_has_ended_readers_load_its_checkpoint_a_stop_mid_epoch_included(
    tiny_data, tmp_path
):
    folder, stop = tmp_path / "run", threading.Event()
    config = tiny_config(epochs=3, batch_size=100, log_every=1)
    for event in train(config, tiny_data, folder, stop_event=stop):
        if isinstance(event, StepLogged) and event.step == 5:  # epochs of 2 steps
            stop.set()
    assert list(snapshots(folder)) == [1, 2]
    assert reader_path(folder) == folder / "checkpoint.pt"
    assert load_checkpoint(reader_path(folder)).step == 5


def test_retention_keeps_the_newest_three_and_the_pinned(tiny_data, tmp_path):
    folder = tmp_path / "run"
    for event in train(tiny_config(epochs=6), tiny_data, folder):
        if isinstance(event, CheckpointSaved) and event.epoch == 1:
            pin_path(snapshot_path(folder, 1)).touch()  # the user keeps epoch 1
    assert list(snapshots(folder)) == [1, 4, 5, 6]
    assert load_checkpoint(snapshot_path(folder, 1)).epoch == 1


def test_without_hard_links_the_snapshot_is_a_copy(tiny_data, tmp_path, monkeypatch):
    def no_links(source, target):
        raise OSError("hard links are not supported here")

    monkeypatch.setattr(os, "link", no_links)
    folder = tmp_path / "run"
    run_all(tiny_config(epochs=1), tiny_data, folder)
    snapshot = snapshot_path(folder, 1)
    assert not os.path.samefile(snapshot, folder / "checkpoint.pt")
    assert snapshot.read_bytes() == (folder / "checkpoint.pt").read_bytes()
    assert not [p for p in snapshot.parent.iterdir() if ".tmp" in p.name]


def test_a_reader_of_epoch_n_is_not_disturbed_while_training_writes_n_plus_1(tiny_data, tmp_path):
    folder = tmp_path / "run"
    held, before = None, b""
    for event in train(tiny_config(epochs=2), tiny_data, folder):
        if isinstance(event, CheckpointSaved) and event.epoch == 1:
            held = reader_path(folder)  # a reader picks epoch 1 and is slow to read it
            before = held.read_bytes()
    assert load_checkpoint(folder).epoch == 2  # checkpoint.pt was replaced meanwhile
    assert held.read_bytes() == before and load_checkpoint(held).epoch == 1


def test_resuming_an_earlier_checkpoint_drops_the_snapshots_after_it(tiny_data, tmp_path):
    folder = tmp_path / "run"
    config = tiny_config(epochs=3)
    run_all(config, tiny_data, folder)
    earlier = load_checkpoint(snapshot_path(folder, 1))
    events = run_all(config.replace(epochs=2), tiny_data, folder, resume=earlier)
    assert [e.epoch for e in events if isinstance(e, CheckpointSaved)] == [2]
    assert list(snapshots(folder)) == [1, 2]  # 2 written again, 3 belonged to the old future


def test_before_the_first_epoch_ends_readers_use_the_checkpoint(tiny_data, tmp_path):
    folder = tmp_path / "run"
    stop = threading.Event()
    stop.set()
    run_all(tiny_config(), tiny_data, folder, stop_event=stop)  # saved before the first step
    assert snapshots(folder) == {} and reader_path(folder) == folder / "checkpoint.pt"
    other = tmp_path / "copy.pt"
    other.write_bytes((folder / "checkpoint.pt").read_bytes())
    assert reader_path(other) == other  # an explicit file is read as it is


def test_a_snapshots_run_facts_are_the_run_as_it_was_at_that_epoch(tiny_data, tmp_path):
    """Facts read later from the snapshot of epoch 1 equal those read from metrics.jsonl as it
    stood when epoch 1 was saved (before, the later epochs' loss trend leaked in)."""
    folder, then = tmp_path / "run", tmp_path / "metrics-at-epoch-1.jsonl"
    for event in train(tiny_config(epochs=2, log_every=1), tiny_data, folder):
        if isinstance(event, CheckpointSaved) and event.epoch == 1 and not then.exists():
            shutil.copyfile(folder / "metrics.jsonl", then)
    snapshot = load_checkpoint(snapshot_path(folder, 1))
    later = read_run_facts(snapshot, 1, "VAE")
    whole_run = read_run_facts(load_checkpoint(folder), 1, "VAE")
    shutil.copyfile(then, folder / "metrics.jsonl")
    at_the_time = read_run_facts(snapshot, 1, "VAE")
    assert later == at_the_time and later.loss_fall is not None
    assert whole_run.loss_fall != later.loss_fall  # else the test could not tell them apart
