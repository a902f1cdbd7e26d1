"""Every bad input docs/faults.md lists: refused before any work, exit 2, one line naming the
option, the value and what is allowed, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.cli_commands import error_line, fake_run, run_command
from tests.faults import read_only_folder

UNWRITABLE = "/sys/fmgen-out"  # not writable even for an administrator (sysfs)

# (command, argv, what the one error line says); {file}: a plain file, {missing}: no such path,
# {run}: a run folder, {data}: the tiny data set's folder.
REFUSED = [
    (
        "fmgen-train",
        ["--model", "vae", "--epochs", "0"],
        "argument --epochs: 0 is outside 1..100000",
    ),
    ("fmgen-train", ["--model", "vae", "--lr", "nan"], "argument --lr: nan is not a finite number"),
    ("fmgen-train", ["--model", "vae", "--batch-size", "many"], "'many' is not a whole number"),
    ("fmgen-train", ["--model", "vae", "--seed", "-1"], "argument --seed: -1 is outside 0.."),
    ("fmgen-train", ["--model", "vae", "--limit", "5"], "--limit: 5 must be at least 10"),
    ("fmgen-train", ["--model", "gan", "--beta", "2"], "--beta (KL weight beta): does not apply"),
    ("fmgen-train", ["--epochs", "2"], "choose a model with --model"),
    ("fmgen-train", ["--model", "vae", "--device", "gpu"], "'gpu' is not a device (auto, cpu"),
    ("fmgen-train", ["--model", "vae", "--device", "cuda:99"], "cuda:99"),
    ("fmgen-train", ["--model", "vae", "--run-name", "a/b"], "use a plain folder name"),
    ("fmgen-train", ["--model", "vae", "--out", "{file}"], "is a file, not a folder"),
    ("fmgen-train", ["--model", "vae", "--out", UNWRITABLE], "cannot write in /sys"),
    ("fmgen-train", ["--model", "vae", "--data-dir", "{missing}"], "missing: no such folder"),
    ("fmgen-train", ["--model", "vae", "--data-dir", "{run}"], "missing train-images"),
    ("fmgen-train", ["--resume", "{missing}"], "no such checkpoint file"),
    ("fmgen-train", ["--resume", "{run}"], "not a readable checkpoint"),
    ("fmgen-train", ["--archive", "{missing}"], "no such folder; name a run folder"),
    ("fmgen-train", ["--archive", "{data}"], "not a run folder (no config.json)"),
    ("fmgen-evaluate", [], "name at least one run"),
    ("fmgen-evaluate", ["--run", "{missing}"], "argument --run: {missing}: no such checkpoint"),
    ("fmgen-evaluate", ["--run", "{run}", "--seed", "-1"], "argument --seed: -1 is outside"),
    ("fmgen-evaluate", ["--run", "{run}", "--samples", "5"], "--samples: 5 is outside 10..60000"),
    ("fmgen-evaluate", ["--run", "{run}", "--samples", "1e9"], "'1e9' is not a whole number"),
    ("fmgen-evaluate", ["--run", "{run}", "--iwae-k", "0"], "--iwae-k: 0 is outside 1..5000"),
    ("fmgen-evaluate", ["--run", "{run}", "--iwae-k", "100000"], "100000 is outside 1..5000"),
    ("fmgen-evaluate", ["--run", "{run}", "--slow-on-cpu", "5"], "(or 0: no cap)"),
    ("fmgen-evaluate", ["--run", "{run}", "--out", "{file}"], "is a file, not a folder"),
    ("fmgen-evaluate", ["--run", "{run}", "--device", "tpu"], "'tpu' is not a device"),
    ("fmgen-evaluate", ["--run", "{run}", "--data-dir", "{missing}"], "no such folder"),
    ("fmgen-report", ["--run", "{run}", "--seed", "-1"], "argument --seed: -1 is outside"),
    ("fmgen-report", ["--run", "{run}", "--out", "{file}"], "is a file, not a folder"),
    ("fmgen-report", ["--run", "{run}", "--out", UNWRITABLE], "cannot write in /sys"),
    ("fmgen-report", ["--run", "{run}", "--steps", "1"], "argument --steps: 1 is outside 2..50"),
    ("fmgen-report", ["--run", "{run}", "--steps", "10000"], "10000 is outside 2..50"),
    ("fmgen-report", ["--run", "{run}", "--within", "1,x"], "is not two numbers like 12,345"),
    ("fmgen-report", ["--run", "{run}", *["--on-page", "r"] * 5], "at most 4 runs fit"),
    ("fmgen-sweep", ["--model", "vae", "--grid", "beta=1,2", "--max-parallel", "-1"], "-1 is out"),
    ("fmgen-sweep", ["--model", "vae", "--grid", "beta=1,2", "--max-parallel", "0"], "0 is out"),
    ("fmgen-sweep", ["--model", "vae", "--grid", "beta=1,2", "--out", "{file}"], "is a file"),
    ("fmgen-sweep", ["--model", "vae", "--grid", "beta"], "OPTION=V1,V2"),
    (
        "fmgen-sweep",
        ["--model", "vae", "--grid", "epochs=1,0"],
        "point epochs=0: fmgen-train: argument --epochs: 0 is outside",
    ),
    ("fmgen-sweep", ["--model", "gan", "--grid", "beta=1,2"], "does not apply to the GAN"),
    ("fmgen-sweep", ["--model", "vae", "--grid", "beta=1", "--time-limit", "0"], "0 is outside"),
    ("fmgen-sample", ["--run", "{run}", "--n", "0", "--out", "s.npz"], "0 is outside 1..100000"),
    ("fmgen-sample", ["--run", "{run}", "--n", "10000000", "--out", "s.npz"], "1..100000"),
    ("fmgen-sample", ["--run", "{run}", "--n", "2", "--seed", "-1", "--out", "s.npz"], "-1 is"),
    ("fmgen-sample", ["--run", "{run}", "--n", "2", "--out", "s.png"], "name a .npz file"),
    ("fmgen-sample", ["--run", "{missing}", "--n", "2", "--out", "s.npz"], "no such checkpoint"),
    ("fmgen-sample", ["--run", "{run}", "--n", "2", "--class", "Hat", "--out", "s"], "class 'Hat'"),
    ("fmgen", ["--follow"], "argument --follow: expected one argument"),
    ("fmgen", ["--follow", "{missing}"], "no such folder; name a run folder"),
    ("fmgen", ["--follow", "{data}"], "not a run folder (no config.json)"),
    ("fmgen", ["{missing}"], "no such checkpoint file"),
    ("fmgen", ["{missing}.zip"], "no such run archive"),
    ("fmgen", ["{run}", "--follow", "{run}"], "open a run or --follow one, not both"),
    ("fmgen", ["--bogus"], "unrecognized arguments: --bogus"),
]


@pytest.fixture
def places(tmp_path, tiny_data_dir, monkeypatch):
    """The paths the table's placeholders stand for; the working folder is a new one."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("FMGEN_RUNS_DIR", str(tmp_path / "runs"))
    (tmp_path / "file").write_text("a file")
    return {
        "file": tmp_path / "file",
        "missing": tmp_path / "missing",
        "run": fake_run(tmp_path / "run"),
        "data": tiny_data_dir,
    }


def _fill(text: str, places: dict) -> str:
    return text.format(**{key: str(path) for key, path in places.items()})


@pytest.mark.parametrize(
    ("command", "argv", "says"), REFUSED, ids=[f"{c} {' '.join(a)}" for c, a, _ in REFUSED]
)
def test_a_bad_input_is_refused_in_one_line_before_any_work(places, command, argv, says):
    outcome = run_command(command, [_fill(arg, places) for arg in argv])
    assert outcome.code == 2, (outcome, "the command went on to its work")
    assert _fill(says, places) in error_line(outcome, command)


def test_a_zip_where_the_archive_goes_is_refused(places):
    (places["run"].parent / "run.zip").mkdir()
    outcome = run_command("fmgen-train", ["--archive", str(places["run"])])
    assert outcome.code == 2
    assert "run.zip is a folder, so the .zip cannot go there" in error_line(outcome, "fmgen-train")


def test_an_archive_into_a_read_only_folder_is_refused(places, tmp_path, monkeypatch):
    """A read-only disk, not permission bits: those do not stop root, and CI runs as root."""
    parent = tmp_path / "read-only"
    run = fake_run(parent / "run")
    read_only_folder(monkeypatch, parent)
    outcome = run_command("fmgen-train", ["--archive", str(run)])
    assert outcome.code == 2
    assert (
        f"cannot write in {parent} (Read-only file system), so run.zip cannot go there"
        in error_line(outcome, "fmgen-train")
    )


@pytest.mark.parametrize(
    ("command", "argv"),
    [
        ("fmgen-train", ["--model", "vae"]),
        ("fmgen-evaluate", ["--run", "{run}", "--seed", "0", "--slow-on-cpu", "0"]),
        ("fmgen-report", ["--run", "{run}", "--out", "{missing}/new"]),
        ("fmgen-sweep", ["--model", "vae", "--grid", "beta=1,2", "--max-parallel", "2"]),
        ("fmgen-sample", ["--run", "{run}", "--n", "100000", "--out", "{missing}/s.npz"]),
        ("fmgen", ["{run}"]),
        ("fmgen", ["--follow", "{run}"]),
    ],
)
def test_good_inputs_reach_the_work(places, command, argv):
    """The checks refuse only what is wrong (else every refusal test above would pass too)."""
    outcome = run_command(command, [_fill(arg, places) for arg in argv])
    assert outcome.reached, outcome


@pytest.mark.parametrize("flag", ["--help", "--version"])
def test_fmgen_help_and_version_answer_without_a_window(flag):
    """Before, both were opened as run paths (and without a display it said so instead)."""
    result = subprocess.run(
        [sys.executable, "-c", "from fmgen_gui.app import main; main()", flag],
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": os.environ["PATH"], "HOME": "/tmp"},  # no display
    )
    assert result.returncode == 0, result.stderr
    assert ("usage: fmgen" if flag == "--help" else "fmgen 0.") in result.stdout
