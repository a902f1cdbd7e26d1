"""The Runs view's rows, labels, overlays and deletion, without a window."""

from __future__ import annotations

import json
import os
import shutil

import pytest

from tests.runs import tiny_run
from trainer.cli.sweep_jobs import SweepResult, write_sweep
from trainer.common import keys
from trainer.common.errors import RunFolderError
from trainer.runs.folder import RunFolderLock
from trainer.runs.history import RunHistory
from trainer.runs.index import (
    DAMAGED,
    SWEEP_FILE,
    RunIndex,
    delete_run,
    find_runs,
    overlay,
    same_sweep,
)
from trainer.runs.metrics_json import RUNS, SAMPLES_SECTION
from trainer.runs.pins import run_key
from trainer.runs.status import read_status


@pytest.fixture(scope="module")
def three_runs(tiny_data_dir, tmp_path_factory):
    root = tmp_path_factory.mktemp("runs")
    runs = [
        tiny_run("vae", tiny_data_dir, root / "a", epochs=2),
        tiny_run("vae", tiny_data_dir, root / "b", "--beta", "4"),
        tiny_run("gan", tiny_data_dir, root / "c"),
    ]
    return root, runs


def test_three_runs_appear_with_their_metrics_and_states(three_runs, tmp_path):
    root, runs = three_runs
    index = RunIndex(tmp_path / "runs.json")
    rows = {row.path: row for row in index.rows([root / "a", root / "b", root / "c"])}
    assert set(rows) == set(runs)
    first, beta4, gan = (rows[path] for path in runs)
    assert (first.model, first.epochs, first.state) == ("vae", "2 / 2", "finished")
    assert "beta 4" in beta4.settings and "beta 1" in first.settings
    assert "-ELBO" in first.metrics and "D(x)" in gan.metrics and gan.epochs == "1 / 1"
    assert first.size_mb > 0 and first.fid is None and first.group == ""

    index.set_user(runs[1], label="beta four", notes="the blurry one")
    again = RunIndex(tmp_path / "runs.json").row(runs[1])
    assert (again.label, again.notes) == ("beta four", "the blurry one")


def test_overlaying_two_runs_draws_one_curve_each(three_runs):
    _, runs = three_runs
    histories = {"A": RunHistory.from_folder(runs[0]), "B": RunHistory.from_folder(runs[1])}
    spec, merged = overlay(histories, "test/neg_elbo", "epoch")
    assert [curve.label for curve in spec.curves] == ["A", "B"]
    assert merged.series["A/test/neg_elbo"].size == 2 and merged.series["B/test/neg_elbo"].size == 1


def test_delete_refuses_a_run_in_use_and_removes_a_finished_one(tiny_data_dir, tmp_path):
    run = tiny_run("vae", tiny_data_dir, tmp_path / "runs")
    with RunFolderLock(run), pytest.raises(RunFolderError, match="in use"):
        delete_run(run)
    assert run.is_dir() and read_status(run).state == "finished"
    delete_run(run)
    assert not run.exists()


def test_an_evaluated_run_shows_its_fid(three_runs, tmp_path):
    _, runs = three_runs
    document = {RUNS: {run_key(runs[2]): {SAMPLES_SECTION: {keys.FID: 96.0}}}}
    (runs[2] / "metrics.json").write_text(json.dumps(document))  # what write_metrics writes
    try:
        assert RunIndex(tmp_path / "runs.json").row(runs[2]).fid == 96.0
    finally:
        (runs[2] / "metrics.json").unlink()


def test_a_sweeps_runs_are_one_group_named_with_its_grid(three_runs, tmp_path):
    _, runs = three_runs
    sweep = tmp_path / "betas"
    members = [shutil.copytree(runs[n], sweep / f"beta={b}") for n, b in enumerate("14")]
    grid = {"beta": ["1", "4"]}
    write_sweep(SweepResult("vae", grid, [], "local"), sweep)
    loose = shutil.copytree(runs[2], tmp_path / "more" / "gan")
    index = RunIndex(tmp_path / "runs.json")
    rows = index.rows([tmp_path])  # runs one level down are found, a sweep's among them
    assert {(r.path, r.group, r.sweep) for r in rows} == {
        (members[0], "betas (beta=1,4)", sweep),
        (members[1], "betas (beta=1,4)", sweep),
        (loose, "", None),
    }
    assert [r.path for r in same_sweep(rows, [rows[1]])] == members
    assert same_sweep(rows, [r for r in rows if r.path == loose]) == []
    (sweep / SWEEP_FILE).write_text('{"grid": ')  # torn while fmgen-sweep writes it
    assert index.row(members[0]).group == "betas"


def test_a_damaged_row_is_kept_until_its_files_change(three_runs, tmp_path):
    _, runs = three_runs
    run = shutil.copytree(runs[0], tmp_path / "runs" / "a")
    config = (run / "config.json").read_text()
    (run / "config.json").write_text(config[: len(config) // 2])
    index = RunIndex(tmp_path / "runs.json")
    (damaged,) = index.rows([tmp_path / "runs"])
    assert damaged.state == DAMAGED
    assert index.rows([tmp_path / "runs"]) == [damaged] and index.rows([run.parent])[0] is damaged
    with pytest.raises(RunFolderError, match=r"config\.json: damaged"):
        index.row(run)  # one run's row still says what is wrong
    (run / "config.json").write_text(config)
    assert index.rows([tmp_path / "runs"])[0].state == "finished"


def test_a_row_is_read_without_decoding_sample_grids(three_runs, tmp_path):
    _, runs = three_runs
    run = shutil.copytree(runs[0], tmp_path / "runs" / "a")
    (run / "samples" / "epoch_001.png").write_bytes(
        b"not a png"
    )  # Open says so; the list reads none
    (row,) = RunIndex(tmp_path / "runs.json").rows([tmp_path / "runs"])
    assert (row.state, row.epochs) == ("finished", "2 / 2") and "-ELBO" in row.metrics


def test_a_file_renamed_while_the_size_is_counted_is_not_an_error(
    three_runs, tmp_path, monkeypatch
):
    _, runs = three_runs
    run = shutil.copytree(runs[1], tmp_path / "runs" / "b")
    temporary = run / ".metrics.json.123.tmp"
    temporary.write_text("{}")
    real_stat, seen = os.stat, []

    def stat(path, *args, **kwargs):  # the temporary is renamed after it was first looked at
        if os.fspath(path) == os.fspath(temporary):
            seen.append(path)
            if len(seen) > 1:
                raise FileNotFoundError(2, "No such file or directory", os.fspath(path))
        return real_stat(path, *args, **kwargs)

    monkeypatch.setattr(os, "stat", stat)
    (row,) = RunIndex(tmp_path / "runs.json").rows([tmp_path / "runs"])
    assert row.state == "finished" and row.size_mb > 0 and seen


def test_runs_are_found_in_folders_only_and_not_in_hidden_ones(three_runs, tmp_path, monkeypatch):
    _, runs = three_runs
    root = tmp_path / "runs"
    run = shutil.copytree(runs[1], root / "b")
    shutil.copytree(runs[1], root / ".b.unpacking")  # a run being unpacked, not yet whole
    looked_at, real_lexists = [], os.path.lexists
    monkeypatch.setattr(os.path, "lexists", lambda p: looked_at.append(p) or real_lexists(p))
    assert find_runs([root]) == [run]
    assert all(os.path.isdir(os.path.dirname(p)) for p in looked_at)  # no file was listed
