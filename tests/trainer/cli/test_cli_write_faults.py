"""fmgen-evaluate and fmgen-report when a file cannot be written once the evaluation is done (a
full disk, a folder where the file goes): one line naming the file and the reason, exit 1, and
no file half-written. And fmgen-evaluate of a snapshot: its run, at the snapshot's epoch."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fmgen_gui.report.cli import main as report_cli
from tests.faults import FullDisk
from tests.runs import tiny_run
from trainer.cli.evaluate import main as evaluate_cli
from trainer.metrics.classifier import cache_path, save_classifier, train_classifier
from trainer.runs.checkpoint import load_checkpoint
from trainer.runs.metrics_json import RUNS
from trainer.runs.pins import run_key
from trainer.runs.snapshots import snapshot_path

pytestmark = pytest.mark.timeout(300)
COMMANDS = {"fmgen-evaluate": evaluate_cli, "fmgen-report": report_cli}


@pytest.fixture(scope="module")
def run(tiny_data_dir, tmp_path_factory) -> Path:
    """A VAE trained for 2 epochs: snapshots of epochs 1 and 2."""
    return tiny_run("vae", tiny_data_dir, tmp_path_factory.mktemp("runs"), epochs=2)


@pytest.fixture(scope="module")
def classifier(tiny_data):
    return train_classifier(tiny_data, epochs=1)


@pytest.fixture
def small(classifier, tiny_data, tiny_data_dir) -> list[str]:
    """Options for a quick evaluation; the classifier cached where the commands look for it."""
    save_classifier(*classifier, cache_path(tiny_data.fingerprint()))
    return ["--data-dir", str(tiny_data_dir), "--samples", "20", "--iwae-k", "2"]


def temporaries(*folders: Path) -> list[Path]:
    return [p for folder in folders for p in folder.rglob("*") if ".tmp" in p.name]


def full_disk(monkeypatch, folder: Path, name: str) -> Path:
    """Writes of files called `name` fail half-way as on a full disk; the old file stays."""
    (folder / name).write_bytes(b"old")
    FullDisk(monkeypatch, Path(name).stem)
    return folder / name


def folder_in_the_way(monkeypatch, folder: Path, name: str) -> Path:
    """A folder where the file `name` goes, which no one can replace by a file."""
    (folder / name).mkdir()
    return folder / name


# command, the file that cannot be written (in the run folder or --out), the fault, the reason
FAULTS = [
    ("fmgen-evaluate", "run", "metrics.json", full_disk, "Disk full: {path} could not be written"),
    ("fmgen-evaluate", "out", "metrics.json", folder_in_the_way, "{path} could not be written (Is"),
    ("fmgen-report", "out", "report.pdf", full_disk, "Disk full: {path} could not be written"),
    ("fmgen-report", "out", "report.pdf", folder_in_the_way, "{path} could not be written (Is a"),
]


@pytest.mark.parametrize(
    ("command", "where", "name", "fault", "says"),
    FAULTS,
    ids=[f"{c} {w}/{n} {f.__name__}" for c, w, n, f, _ in FAULTS],
)
def test_a_file_that_cannot_be_written_is_one_line_and_exit_1(
    run, small, tmp_path, monkeypatch, capsys, command, where, name, fault, says
):
    """Before, both ended in a traceback after the whole evaluation."""
    out = tmp_path / "out"
    out.mkdir()
    path = fault(monkeypatch, run if where == "run" else out, name)
    before = path.read_bytes() if path.is_file() else None
    assert COMMANDS[command](["--run", str(run), *small, "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert err.strip().splitlines() == [err.strip()], err  # one line
    assert err.startswith(f"{command}: error: {says.format(path=path)}"), err
    assert (path.read_bytes() if path.is_file() else None) == before  # the old file, whole
    assert not temporaries(run, out)


def test_fmgen_evaluate_of_a_snapshot_evaluates_its_run_at_that_epoch(run, small, capsys):
    """Before, the snapshot's folder (checkpoints/) was taken for the run: 'no such checkpoint'."""
    snapshot = snapshot_path(run, 1)
    assert load_checkpoint(run).epoch == 2  # the run went on after the snapshot
    assert evaluate_cli(["--run", str(snapshot), *small]) == 0, capsys.readouterr().err
    document = json.loads((run / "metrics.json").read_text())
    (key,) = document[RUNS]
    section = document[RUNS][key]
    assert key == run_key(run) and Path(section["run_dir"]).resolve() == run.resolve()
    assert (section["epochs_completed"], section["steps"]) == (1, load_checkpoint(snapshot).step)
    assert not (snapshot.parent / "metrics.json").exists()
