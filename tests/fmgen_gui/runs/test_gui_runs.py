"""The Runs tab and a followed run, in the window."""

from __future__ import annotations

import shutil

import pytest

from fmgen_gui.runs.follow_view import FollowView
from fmgen_gui.runs.pane import COLUMNS, RunsPane
from tests.runs import tiny_run, tiny_sweep
from trainer.runs.index import RunIndex


@pytest.fixture(scope="module")
def two_runs(tiny_data_dir, tmp_path_factory):
    """A sweep of two VAEs, beta 1 and 4, as fmgen-sweep leaves it in the runs folder."""
    root = tmp_path_factory.mktemp("runs")
    return root, tiny_sweep("vae", tiny_data_dir, root / "betas", {"beta": ["1", "4"]}, epochs=2)


def test_selecting_two_runs_overlays_their_curves_and_grids(qtbot, two_runs, tmp_path):
    root, _ = two_runs
    pane = RunsPane([root], RunIndex(tmp_path / "runs.json"))
    qtbot.addWidget(pane)
    assert pane.table.rowCount() == 2
    pane.table.selectAll()
    assert pane.overlay.series.currentText() == "test/neg_elbo"
    assert [pane.overlay.plot.point_count(c.key) for c in pane.overlay.plot.spec.curves] == [2, 2]
    assert pane.overlay.grids.count() == 2
    pane.filter.setText("beta 4")
    hidden = [pane.table.isRowHidden(r) for r in range(2)]
    assert sorted(hidden) == [False, True]


def test_a_sweep_is_a_group_whose_runs_one_action_selects_and_overlays(qtbot, two_runs, tmp_path):
    root, runs = two_runs
    single = shutil.copytree(runs[0], tmp_path / "more" / "single")  # a run of no sweep
    pane = RunsPane([root, tmp_path / "more"], RunIndex(tmp_path / "runs.json"))
    qtbot.addWidget(pane)
    column = COLUMNS.index("group")
    groups = {pane.row_at(r).path: pane.table.item(r, column).text() for r in range(3)}
    assert groups == {runs[0]: "betas (beta=1,4)", runs[1]: "betas (beta=1,4)", single: ""}
    pane.table.selectRow(next(r for r in range(3) if pane.row_at(r).path == runs[1]))
    pane.select_sweep()
    assert sorted(row.path for row in pane.selected()) == sorted(runs)
    assert [curve.label for curve in pane.overlay.plot.spec.curves] == [
        row.label for row in pane.selected()
    ]
    pane.table.selectRow(next(r for r in range(3) if pane.row_at(r).path == single))
    pane.select_sweep()
    assert [row.path for row in pane.selected()] == [single]
    assert "Select a run of a sweep" in pane.messages.text


def test_delete_asks_and_refuses_nothing_it_should_not(qtbot, tiny_data_dir, tmp_path):
    run = tiny_run("gan", tiny_data_dir, tmp_path / "runs")
    pane = RunsPane([tmp_path / "runs"], RunIndex(tmp_path / "runs.json"))
    qtbot.addWidget(pane)
    pane.table.selectRow(0)
    pane.delete(confirm=lambda rows: False)
    assert run.exists()
    pane.delete(confirm=lambda rows: True)
    assert not run.exists() and pane.table.rowCount() == 0


def test_a_followed_copy_fills_in_and_says_when_it_ended(qtbot, two_runs, tmp_path):
    _, runs = two_runs
    copy = tmp_path / "mount" / runs[0].name
    copy.mkdir(parents=True)
    shutil.copy(runs[0] / "config.json", copy)
    view = FollowView(copy)
    qtbot.addWidget(view)
    assert "Waiting" in view.status.text()
    for name in ("metrics.jsonl", "samples", "run.json"):
        source = runs[0] / name
        (shutil.copytree if source.is_dir() else shutil.copy)(source, copy / name)
    with qtbot.waitSignal(view.ended, timeout=10000):
        view.poll()
    assert view.status.text().startswith("Finished")
    assert view.view.history.series["test/neg_elbo"].size == 2
    assert not view.timer.isActive()
