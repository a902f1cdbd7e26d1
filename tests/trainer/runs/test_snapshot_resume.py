"""A snapshot (RUN/checkpoints/epoch_NNN.pt) belongs to its run: resuming or opening it uses RUN."""

from __future__ import annotations

import pytest

from tests.gui_helpers import EventLog, make_window
from trainer.cli.train import main as train_cli
from trainer.common.events import RunFinished, RunStarted
from trainer.runs.checkpoint import load_checkpoint
from trainer.runs.folder import RunFolder
from trainer.runs.snapshots import snapshot_path

pytestmark = pytest.mark.timeout(120)

TINY = ["--batch-size", "50", "--latent-dim", "4", "--device", "cpu"]


def _trained_run(tmp_path, data_dir, epochs=1):
    out = tmp_path / "runs"
    args = ["--model", "vae", *TINY, "--log-every", "1", "--data-dir", str(data_dir)]
    argv = [*args, "--epochs", str(epochs), "--out", str(out), "--run-name", "run"]
    assert train_cli(argv) == 0
    return out / "run"


def test_resuming_a_snapshot_continues_its_run_in_place(tiny_data_dir, tmp_path, capsys):
    run = _trained_run(tmp_path, tiny_data_dir)
    snapshot = snapshot_path(run, 1)
    argv = ["--resume", str(snapshot), "--epochs", "2", "--data-dir", str(tiny_data_dir)]
    assert train_cli(argv) == 0
    assert f"run folder: {run}" in capsys.readouterr().out.splitlines()
    assert load_checkpoint(run).epoch == 2
    assert {p.name for p in (run / "checkpoints").iterdir()} == {"epoch_001.pt", "epoch_002.pt"}


def test_opening_a_snapshot_shows_its_run_and_resumes_from_the_snapshot(
    qtbot, tmp_path, tiny_data_dir
):
    run = _trained_run(tmp_path, tiny_data_dir, epochs=2)
    window = make_window(qtbot, tmp_path, tiny_data_dir)
    window.open_run(snapshot_path(run, 1))
    view = window.training.views["vae"]
    view.plots[0].redraw()
    assert window.training.run_dirs["vae"] == run
    assert view.plots[0].point_count("step/loss") == 8  # 200 images / 50 a batch, 2 epochs
    assert window.training.resume_button.isEnabled()

    log = EventLog(window)
    window.training.resume_button.click()
    qtbot.waitUntil(lambda: log.has(RunFinished), timeout=60_000)
    (started,) = log.of(RunStarted)
    assert (started.epoch, started.step) == (1, 4)  # from the snapshot, not the latest (2, 8)
    assert window.training.run_dirs["vae"] == run  # in RUN, not in RUN/checkpoints
    assert not (run / "checkpoints" / "checkpoint.pt").exists()
    assert load_checkpoint(run).epoch == 2
    epochs = [r["epoch"] for r in RunFolder(run).read_metrics() if r.get("type") == "epoch"]
    assert epochs == [1, 2]  # epoch 2 trained again, its first curves cut
    assert [e.epoch for e in view.history.epochs] == [1, 2]  # the view cut its epoch 2, too
    assert view.history.series["step/loss"].size == 8
    window.close()
