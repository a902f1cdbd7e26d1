"""The Runs tab and a followed run, in the window."""

from __future__ import annotations

import shutil

import pytest

from fmgen_gui.runs.follow_view import FollowView
from fmgen_gui.runs.pane import RunsPane
from tests.runs import tiny_run
from trainer.run_index import RunIndex


@pytest.fixture(scope="module")
def two_runs(tiny_data_dir, tmp_path_factory):
    root = tmp_path_factory.mktemp("runs")
    return root, [
        tiny_run("vae", tiny_data_dir, root / "a", epochs=2),
        tiny_run("vae", tiny_data_dir, root / "b", "--beta", "4", epochs=2),
    ]


def test_selecting_two_runs_overlays_their_curves_and_grids(qtbot, two_runs, tmp_path):
    root, _ = two_runs
    pane = RunsPane([root / "a", root / "b"], RunIndex(tmp_path / "runs.json"))
    qtbot.addWidget(pane)
    assert pane.table.rowCount() == 2
    pane.table.selectAll()
    assert pane.series.currentText() == "test/neg_elbo"
    assert [pane.plot.point_count(c.key) for c in pane.plot.spec.curves] == [2, 2]
    assert pane.grids.count() == 2
    pane.filter.setText("beta 4")
    hidden = [pane.table.isRowHidden(r) for r in range(2)]
    assert sorted(hidden) == [False, True]


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
