"""fmgen-sweep through submitit's local executor: points, limits, failures and re-runs."""

from __future__ import annotations

import json
import os

import pytest

from trainer.cli.sweep import main as sweep_main
from trainer.cli.sweep_jobs import expand, parse_grid
from trainer.runs.status import read_status

pytestmark = pytest.mark.slow


def test_grid_expands_to_named_points():
    points = expand(parse_grid(["beta=0.5,1", "latent-dim=2,16"]))
    assert [p.name for p in points] == [
        "beta=0.5_latent-dim=2",
        "beta=0.5_latent-dim=16",
        "beta=1_latent-dim=2",
        "beta=1_latent-dim=16",
    ]
    assert points[1].argv() == ["--beta", "0.5", "--latent-dim", "16"]


@pytest.mark.parametrize("bad", ["beta", "beta=", "=1,2"])
def test_bad_grids_are_refused(bad, capsys):
    with pytest.raises(SystemExit) as info:
        sweep_main(["--model", "vae", "--grid", bad])
    assert info.value.code == 2
    assert "OPTION=V1,V2" in capsys.readouterr().err


def test_settings_every_point_would_refuse_stop_the_sweep_first(tmp_path, capsys):
    args = ["--model", "gan", "--grid", "beta=1,2", "--out", str(tmp_path / "s")]
    with pytest.raises(SystemExit) as info:
        sweep_main(args)
    assert info.value.code == 2
    assert "does not apply to the GAN" in capsys.readouterr().err
    assert not list((tmp_path / "s").glob("beta=*"))


def _interval(run_dir):
    """When a run's process began writing its folder and when it last wrote run.json."""
    return os.stat(run_dir / "config.json").st_mtime, os.stat(run_dir / "run.json").st_mtime


def test_a_2x2_sweep_runs_one_at_a_time_reports_failures_and_skips_done_points(
    tiny_data_dir, tmp_path, capsys
):
    out = tmp_path / "sweep"
    missing = tmp_path / "no-data-here"
    common = ["--epochs", "1", "--batch-size", "50", "--device", "cpu", "--max-parallel", "1"]
    grid = ["--grid", "latent-dim=2,3", "--grid", f"data-dir={tiny_data_dir},{missing}"]
    assert sweep_main(["--model", "vae", *grid, "--out", str(out), *common]) == 1
    index = json.loads((out / "sweep.json").read_text())
    states = {p["name"]: p["state"] for p in index["points"]}
    assert len(states) == 4
    bad = [name for name in states if missing.name in name]  # names flatten the path's slashes
    good = [name for name in states if name not in bad]
    assert len(bad) == len(good) == 2, states
    assert {states[n] for n in good} == {"finished"} and {states[n] for n in bad} == {"failed"}
    failures = [p["message"] for p in index["points"] if p["state"] == "failed"]
    assert len(failures) == 2 and all("no-data-here" in m for m in failures), failures
    assert all(read_status(out / name).state == "finished" for name in good)
    first, second = sorted(_interval(out / name) for name in good)
    assert first[1] <= second[0], "with --max-parallel 1 the two runs overlapped"
    capsys.readouterr()

    assert sweep_main(["--model", "vae", *grid, "--out", str(out), *common]) == 1
    again = {p["name"]: p["state"] for p in json.loads((out / "sweep.json").read_text())["points"]}
    assert {again[n] for n in good} == {"skipped"} and {again[n] for n in bad} == {"failed"}
    assert not any((out / name).exists() for name in bad)  # a failed start leaves no folder
