"""A full or read-only disk while training: a clear message, a clean stop, nothing damaged."""

from __future__ import annotations

import errno
import os
import shutil
from pathlib import Path

import pytest

from tests.faults import FullDisk
from tests.trainer.training.test_loop import run_all, tiny_config
from trainer.cli.train import main as train_cli
from trainer.common.errors import DiskError
from trainer.common.events import CheckpointSaved, RunFailed
from trainer.common.files import atomic_path, atomic_write_text
from trainer.runs.checkpoint import load_checkpoint
from trainer.runs.folder import RunFolder
from trainer.training.loop import train

PROBLEM = {errno.ENOSPC: "Disk full", errno.EROFS: "Read-only disk"}


def temporaries(folder):
    return [p.name for p in folder.rglob("*") if ".tmp" in p.name]


def train_keeping_first_checkpoint(config, data, folder):
    """All events of a run, and the checkpoint's bytes as they were after its first save."""
    events, first = [], None
    for event in train(config, data, folder):
        events.append(event)
        if isinstance(event, CheckpointSaved) and first is None:
            first = (folder / "checkpoint.pt").read_bytes()
    return events, first


def assert_clean_disk_failure(failed, written, folder):
    checkpoint = folder / "checkpoint.pt"
    assert isinstance(failed, RunFailed) and failed.kind == "disk", failed
    assert f"{written} could not be written" in failed.message
    assert failed.message.endswith(f"The run's last checkpoint ({checkpoint}) is kept.")
    assert "Traceback" not in failed.message and not failed.details
    assert not temporaries(folder)


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EROFS])
def test_a_failed_checkpoint_write_keeps_the_previous_one(tiny_data, tmp_path, monkeypatch, code):
    folder = tmp_path / "run"
    disk = FullDisk(monkeypatch, "checkpoint", code, spare=1)  # epoch 1's is written
    events, first = train_keeping_first_checkpoint(tiny_config(epochs=3), tiny_data, folder)
    assert disk.failed, "the disk never filled up"
    assert_clean_disk_failure(events[-1], folder / "checkpoint.pt", folder)
    assert events[-1].message.startswith(PROBLEM[code])
    assert (folder / "checkpoint.pt").read_bytes() == first
    assert load_checkpoint(folder).epoch == 1


def test_a_failed_grid_write_stops_the_run_and_keeps_the_checkpoint(
    tiny_data, tmp_path, monkeypatch
):
    folder = tmp_path / "run"
    FullDisk(monkeypatch, "epoch_002")
    events, first = train_keeping_first_checkpoint(tiny_config(epochs=3), tiny_data, folder)
    assert_clean_disk_failure(events[-1], folder / "samples" / "epoch_002.png", folder)
    assert (folder / "checkpoint.pt").read_bytes() == first
    assert sorted(p.name for p in (folder / "samples").iterdir()) == [
        "epoch_001.png",
        "epoch_001_reconstructions.png",
    ]


def test_a_failed_metrics_write_keeps_the_records_already_written(tiny_data, tmp_path, monkeypatch):
    folder = tmp_path / "run"
    run_all(tiny_config(epochs=1), tiny_data, folder)
    before = (folder / "metrics.jsonl").read_text()
    checkpoint = (folder / "checkpoint.pt").read_bytes()
    FullDisk(monkeypatch, "metrics.jsonl")
    resume = load_checkpoint(folder)
    failed = run_all(tiny_config(epochs=2), tiny_data, folder, resume=resume)[-1]
    assert_clean_disk_failure(failed, folder / "metrics.jsonl", folder)
    assert failed.message.startswith("Disk full")
    after = (folder / "metrics.jsonl").read_text()
    assert after.startswith(before) and after != before  # a torn record after the old ones
    records = RunFolder(folder).read_metrics()
    assert [r["step"] for r in records if r["type"] in ("step", "epoch")] == [2, 4, 6, 7]
    assert (folder / "checkpoint.pt").read_bytes() == checkpoint


def test_fmgen_train_on_a_full_disk_exits_1_with_the_message(
    tiny_data_dir, tmp_path, monkeypatch, capsys
):
    FullDisk(monkeypatch, "epoch_001")
    args = ["--model", "gan", "--epochs", "1", "--batch-size", "50", "--latent-dim", "4"]
    args += ["--device", "cpu", "--data-dir", str(tiny_data_dir), "--out", str(tmp_path)]
    assert train_cli(args) == 1
    err = capsys.readouterr().err
    assert err.startswith("fmgen-train: error: Disk full: ") and "epoch_001.png" in err
    assert "No checkpoint had been written yet." in err and "Traceback" not in err


def test_a_run_folder_on_a_read_only_disk_is_a_clear_failure(tiny_data, tmp_path, monkeypatch):
    folder = tmp_path / "runs" / "vae-1"
    real_mkdir = Path.mkdir

    def read_only(self, *args, **kwargs):
        if self == folder:
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(self))
        return real_mkdir(self, *args, **kwargs)

    monkeypatch.setattr(Path, "mkdir", read_only)
    events = run_all(tiny_config(), tiny_data, folder)
    assert len(events) == 1 and events[0].kind == "disk"
    assert events[0].message.startswith(f"Read-only disk: {folder} could not be written.")
    assert events[0].message.endswith("No checkpoint had been written yet.")


def test_an_atomic_write_on_a_full_disk_leaves_the_old_file(tmp_path, monkeypatch):
    target = tmp_path / "config.json"
    target.write_text("old")
    FullDisk(monkeypatch, "config")
    with pytest.raises(DiskError, match=f"Disk full: {target} could not be written") as info:
        atomic_write_text(target, "new " * 1000)
    assert isinstance(info.value, OSError)  # the handlers of failed writes catch it too
    assert target.read_text() == "old" and not temporaries(tmp_path)


def test_an_atomic_write_refused_by_the_system_names_its_file_and_the_reason(tmp_path):
    target = tmp_path / "report.pdf"
    target.mkdir()  # a folder where the file goes: os.replace names only the temporary file
    with pytest.raises(DiskError, match=rf"^{target} could not be written \(Is a directory\)\.$"):
        atomic_write_text(target, "new")
    assert not temporaries(tmp_path)


def test_an_error_about_another_file_during_an_atomic_write_is_left_as_it_is(tmp_path):
    """A copy's missing source is not a file that could not be written."""
    with pytest.raises(FileNotFoundError) as info, atomic_path(tmp_path / "copy.pt") as tmp:
        shutil.copyfile(tmp_path / "missing.pt", tmp)
    assert not isinstance(info.value, DiskError) and not temporaries(tmp_path)
