"""Faults met from the terminal: each gives one clear message and loses nothing."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch

from tests.faults import DATA_FAULTS, broken_data
from trainer.cli.train import main as train_cli
from trainer.common.errors import RunFolderError
from trainer.data.fashion_mnist import how_to_get_data
from trainer.runs.checkpoint import FORMAT_VERSION, load_checkpoint
from trainer.runs.folder import RunFolderLock

TINY = ["--epochs", "1", "--batch-size", "25", "--latent-dim", "4", "--device", "cpu"]


@pytest.mark.parametrize(("fault", "message"), DATA_FAULTS.items())
def test_each_data_fault_is_one_clear_message(tmp_path, capsys, fault, message):
    folder = broken_data(tmp_path, fault)
    argv = ["--model", "vae", *TINY, "--data-dir", str(folder), "--out", str(tmp_path)]
    if fault.startswith("missing"):  # seen in the command line's check: refused in one line
        with pytest.raises(SystemExit) as info:
            train_cli(argv)
        err = capsys.readouterr().err
        assert info.value.code == 2 and message in err.splitlines()[-1], err
        assert "Traceback" not in err and err.count("fmgen-train: error:") == 1
        return
    code = train_cli(argv)
    err = capsys.readouterr().err
    assert code == 1 and message in err, err
    assert "Traceback" not in err and err.count("fmgen-train: error:") == 1
    assert err.endswith(how_to_get_data() + "\n") and err.count("Ways to get") == 1


@pytest.fixture
def run_folder(tiny_data_dir, tmp_path) -> Path:
    out = tmp_path / "runs"
    assert (
        train_cli(["--model", "vae", *TINY, "--data-dir", str(tiny_data_dir), "--out", str(out)])
        == 0
    )
    (folder,) = out.iterdir()
    return folder


def _future(checkpoint: Path) -> None:
    raw = torch.load(checkpoint, weights_only=True)
    raw["format_version"] = FORMAT_VERSION + 1
    torch.save(raw, checkpoint)


class _Code:
    def __reduce__(self):
        return (os.system, ("touch pwned",))


CHECKPOINT_FAULTS = {
    "truncated": (lambda p: p.write_bytes(p.read_bytes()[:4000]), "not a readable checkpoint"),
    "random bytes": (lambda p: p.write_bytes(os.urandom(5000)), "not a readable checkpoint"),
    "newer format": (_future, "written by a newer fmgen"),
    "code in the pickle": (lambda p: torch.save({"x": _Code()}, p), "refused: it contains Python"),
}


@pytest.mark.parametrize(("fault", "case"), CHECKPOINT_FAULTS.items())
def test_each_checkpoint_fault_is_refused_clearly(
    run_folder, capsys, fault, case, tmp_path, monkeypatch
):
    damage, message = case
    monkeypatch.chdir(tmp_path)  # a "pwned" file would appear here if the pickle ran
    damage(run_folder / "checkpoint.pt")
    with pytest.raises(SystemExit) as info:  # the checkpoint is read while checking the input
        train_cli(["--resume", str(run_folder), "--epochs", "2", "--data-dir", "/none"])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert not (tmp_path / "pwned").exists()


def test_resume_with_another_latent_size_is_refused(run_folder, capsys):
    with pytest.raises(SystemExit) as info:
        train_cli(["--resume", str(run_folder), "--latent-dim", "9"])
    assert info.value.code == 2
    assert "--latent-dim (Latent size): 4 -> 9" in capsys.readouterr().err


KILLED_WRITER = """
import sys, time, torch
from pathlib import Path
from trainer.runs.checkpoint import load_checkpoint, save_checkpoint

checkpoint = load_checkpoint(sys.argv[1])
real_save = torch.save

def slow_save(obj, handle, *args, **kwargs):
    handle.write(b"PK" + bytes(2000))  # the start of a new checkpoint ...
    handle.flush()
    Path(sys.argv[2]).write_text("writing")
    time.sleep(120)  # ... and the process is killed before it ends

torch.save = slow_save
save_checkpoint(checkpoint.path, checkpoint)
"""


def test_sigkill_during_a_checkpoint_write_keeps_the_previous_one(
    run_folder, tmp_path, tiny_data_dir
):
    data = tiny_data_dir
    checkpoint = run_folder / "checkpoint.pt"
    before = checkpoint.read_bytes()
    marker = tmp_path / "writing"
    process = subprocess.Popen([sys.executable, "-c", KILLED_WRITER, str(run_folder), str(marker)])
    deadline = time.monotonic() + 60
    while not marker.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert marker.exists(), "the writer never started writing"
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    assert checkpoint.read_bytes() == before
    assert load_checkpoint(checkpoint).step == 8
    leftovers = [p for p in run_folder.iterdir() if ".tmp" in p.name]
    assert leftovers, "the killed write's temp file is expected here"
    resumed = train_cli(["--resume", str(run_folder), "--epochs", "2", "--data-dir", str(data)])
    assert resumed == 0 and not [p for p in run_folder.iterdir() if ".tmp" in p.name]


def test_two_processes_on_one_run_folder(run_folder, tiny_data_dir):
    """The second training process is refused while the first holds the folder."""
    args = [
        sys.executable,
        "-m",
        "trainer",
        "--resume",
        str(run_folder),
        "--epochs",
        "500",
        "--log-every",
        "1",
        "--data-dir",
        str(tiny_data_dir),
    ]
    first = subprocess.Popen(args, stdout=subprocess.PIPE, text=True)
    for line in first.stdout:
        if "epoch 2/500" in line:
            break
    second = subprocess.run(
        [*args[:5], "--epochs", "600", *args[7:]], capture_output=True, text=True, timeout=120
    )
    first.send_signal(signal.SIGINT)
    first.communicate(timeout=60)
    assert second.returncode == 1
    assert "is in use: another fmgen is training in this run folder" in second.stderr
    assert first.returncode == 130


LOCK_HOLDER = """
import sys, time
from pathlib import Path
from trainer.runs.folder import RunFolderLock

with RunFolderLock(Path(sys.argv[1])):
    Path(sys.argv[2]).write_text("locked")
    time.sleep(120)
"""


def test_a_lock_left_by_a_killed_process_is_not_stale(tmp_path):
    """The lock dies with its process: a SIGKILLed trainer does not block the folder forever."""
    folder, marker = tmp_path / "run", tmp_path / "locked"
    holder = subprocess.Popen([sys.executable, "-c", LOCK_HOLDER, str(folder), str(marker)])
    deadline = time.monotonic() + 60
    while not marker.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert marker.exists(), "the holder never took the lock"
    with pytest.raises(RunFolderError, match="is in use"), RunFolderLock(folder):
        pass
    holder.send_signal(signal.SIGKILL)
    holder.wait(timeout=30)
    assert (folder / ".lock").exists()  # left behind, as after a crash
    with RunFolderLock(folder):
        pass


def test_the_lock_holds_without_fcntl_as_on_windows(tmp_path):
    """The lock once relied on fcntl alone and was not enforced where it is missing."""
    code = (
        "import sys, warnings\n"
        "sys.modules['fcntl'] = None  # import fcntl now fails, as on Windows\n"
        "warnings.simplefilter('ignore')\n"
        "from pathlib import Path\n"
        "from trainer.common.errors import RunFolderError\n"
        "from trainer.runs.folder import RunFolderLock\n"
        "folder = Path(sys.argv[1])\n"
        "with RunFolderLock(folder):\n"
        "    try:\n"
        "        with RunFolderLock(folder):\n"
        "            print('not enforced')\n"
        "    except RunFolderError:\n"
        "        print('refused')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path)], capture_output=True, text=True, timeout=120
    )
    assert result.stdout.strip() == "refused", result.stdout + result.stderr
