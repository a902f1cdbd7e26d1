"""A run folder travels as a .zip and resumes where it stopped."""

from __future__ import annotations

import zipfile

import pytest

from tests.runs import tiny_run
from trainer.cli.train import main as train_cli
from trainer.common.errors import FmgenError
from trainer.runs.archive import extract_run
from trainer.runs.checkpoint import load_checkpoint
from trainer.runs.history import RunHistory


def test_a_zipped_run_round_trips_and_resumes(tiny_data_dir, tmp_path, capsys):
    folder = tiny_run("vae", tiny_data_dir, tmp_path / "remote")
    assert train_cli(["--archive", str(folder)]) == 0
    archive = folder.with_name(folder.name + ".zip")
    assert f"wrote {archive}" in capsys.readouterr().out
    with zipfile.ZipFile(archive) as z:
        assert not [n for n in z.namelist() if n.endswith(".lock")]

    local = extract_run(archive, tmp_path / "laptop")
    assert local.parent == tmp_path / "laptop" and local.name == folder.name
    original, copy = RunHistory.from_folder(folder), RunHistory.from_folder(local)
    assert (
        copy.series.keys() == original.series.keys() and copy.grids.keys() == original.grids.keys()
    )
    assert extract_run(archive, tmp_path / "laptop").name == folder.name + "-2"  # never overwrites

    args = ["--resume", str(local), "--epochs", "2", "--data-dir", str(tiny_data_dir)]
    assert train_cli(args) == 0
    assert load_checkpoint(local).epoch == 2


@pytest.mark.parametrize(
    "members", [{"../evil/config.json": b"{}"}, {"a/config.json": b"{}", "b/x": b""}, {"x": b""}]
)
def test_unsafe_or_foreign_zips_are_refused(tmp_path, members):
    path = tmp_path / "bad.zip"
    with zipfile.ZipFile(path, "w") as z:
        for name, data in members.items():
            z.writestr(name, data)
    with pytest.raises(FmgenError, match="not a run archive"):
        extract_run(path, tmp_path / "runs")
    assert not (tmp_path / "evil").exists()


def test_a_zip_with_a_damaged_member_leaves_no_run_folder_behind(tmp_path):
    path = tmp_path / "vae-1.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as z:  # stored: the bytes lie as written
        z.writestr("vae-1/config.json", b"{}")
        z.writestr("vae-1/metrics.jsonl", b"SECOND-MEMBER-PAYLOAD")
    path.write_bytes(path.read_bytes().replace(b"PAYLOAD", b"PAYLOAX"))  # its CRC is now wrong
    runs = tmp_path / "runs"
    with pytest.raises(FmgenError, match="Bad CRC"):
        extract_run(path, runs)
    assert list(runs.iterdir()) == []  # neither vae-1/ with config.json nor the unpacking folder
