"""fmgen-train as a user runs it: run folders, exit codes, messages, resume and Ctrl-C."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from trainer.cli.train import main
from trainer.runs.checkpoint import load_checkpoint

TINY = ["--epochs", "1", "--batch-size", "50", "--latent-dim", "4", "--device", "cpu"]


def run_folder(out: Path) -> Path:
    (folder,) = out.iterdir()
    return folder


@pytest.mark.parametrize("model", ["vae", "gan"])
def test_tiny_run_writes_a_complete_run_folder(tiny_data_dir, tmp_path, capsys, model):
    code = main(["--model", model, *TINY, "--data-dir", str(tiny_data_dir), "--out", str(tmp_path)])
    assert code == 0
    out = capsys.readouterr().out
    folder = run_folder(tmp_path)
    assert f"run folder: {folder}" in out
    assert "epoch 1/1" in out and ("-ELBO" in out if model == "vae" else "D(G(z))" in out)
    assert {p.name for p in folder.iterdir() if not p.name.startswith(".")} == {
        "config.json",
        "run.json",
        "metrics.jsonl",
        "checkpoint.pt",
        "checkpoints",
        "samples",
    }
    assert (folder / "samples" / "epoch_001.png").stat().st_size > 0
    assert (folder / "checkpoints" / "epoch_001.pt").is_file()
    assert json.loads((folder / "config.json").read_text())["latent_dim"] == 4


def test_resume_continues_the_step_count(tiny_data_dir, tmp_path, capsys):
    assert (
        main(["--model", "vae", *TINY, "--data-dir", str(tiny_data_dir), "--out", str(tmp_path)])
        == 0
    )
    folder = run_folder(tmp_path)
    code = main(["--resume", str(folder), "--epochs", "2", "--data-dir", str(tiny_data_dir)])
    assert code == 0
    assert "resuming at epoch 2, step 4" in capsys.readouterr().out
    assert load_checkpoint(folder).step == 8


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--model", "vae", "--epochs", "0"], "argument --epochs: 0 is outside 1..100000"),
        (["--model", "vae", "--lr", "-1"], "argument --lr: -1.0 must be above 0"),
        (["--model", "gan", "--batch-size", "0"], "argument --batch-size: 0 is outside"),
        (["--epochs", "2"], "choose a model with --model (vae, gan"),
        (["--resume", "/nonexistent/run"], "no such checkpoint file"),
    ],
)
def test_bad_settings_exit_2_with_a_message(tiny_data_dir, tmp_path, capsys, args, message):
    with pytest.raises(SystemExit) as info:
        main([*args, "--data-dir", str(tiny_data_dir), "--out", str(tmp_path)])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert "fmgen-train: error:" in err and message in err
    assert "Traceback" not in err


def test_unknown_argument_exits_2(capsys):
    with pytest.raises(SystemExit) as info:
        main(["--model", "vae", "--epocs", "3"])
    assert info.value.code == 2
    assert "unrecognized arguments: --epocs" in capsys.readouterr().err


def test_missing_data_folder_is_refused_and_leaves_no_run_folder(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)  # runs/ is made in the working folder
    with pytest.raises(SystemExit) as info:
        main(["--model", "vae", "--data-dir", str(tmp_path / "nope")])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert f"--data-dir {tmp_path / 'nope'}: no such folder" in err and "--fetch-data" in err
    assert not (tmp_path / "runs").exists()


def test_resume_with_the_other_model_is_refused(tiny_data_dir, tmp_path, capsys):
    assert (
        main(["--model", "vae", *TINY, "--data-dir", str(tiny_data_dir), "--out", str(tmp_path)])
        == 0
    )
    with pytest.raises(SystemExit) as info:
        main(["--model", "gan", "--resume", str(run_folder(tmp_path))])
    assert info.value.code == 2
    assert "holds a VAE, but a GAN is needed" in capsys.readouterr().err


def test_ctrl_c_saves_a_checkpoint_and_exits_130(tiny_data_dir, tmp_path):
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    args = [
        "--model",
        "vae",
        "--epochs",
        "1000",
        "--batch-size",
        "20",
        "--latent-dim",
        "4",
        "--device",
        "cpu",
        "--log-every",
        "1",
        "--data-dir",
        str(tiny_data_dir),
        "--out",
        str(tmp_path),
    ]
    process = subprocess.Popen(
        [sys.executable, "-m", "trainer", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    deadline = time.monotonic() + 120
    for line in process.stdout:  # wait until training is really under way
        if "epoch 2/1000" in line or time.monotonic() > deadline:
            break
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 130, err
    assert "interrupted: saving a checkpoint" in err
    assert "resume with: fmgen-train --resume" in out
    checkpoint = load_checkpoint(run_folder(tmp_path))
    assert checkpoint.step >= 10


def test_python_dash_m_trainer_is_fmgen_train():
    result = subprocess.run(
        [sys.executable, "-m", "trainer", "--help"], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0 and "usage: fmgen-train" in result.stdout
