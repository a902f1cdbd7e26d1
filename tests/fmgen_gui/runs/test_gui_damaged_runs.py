"""Damaged run folders in the window: listed with the reason, opened with a message, followed
until the damage shows; and the real app starting with 30 of them in its runs folder."""

from __future__ import annotations

import json
import shutil

import pytest

from fmgen_gui.first_paint import painted_at, shown_at_first_paint
from fmgen_gui.runs.follow_view import FollowView
from fmgen_gui.runs.pane import COLUMNS
from tests.damage import ROW_DAMAGES, Damage, copy_run
from tests.gui_helpers import launch_to_first_paint, make_window
from tests.runs import tiny_run
from trainer.common import keys
from trainer.runs.index import DAMAGED
from trainer.runs.metrics_json import RUNS, SAMPLES_SECTION
from trainer.runs.pins import run_key

STARTUP_RUNS = 30


@pytest.fixture(scope="module")
def good_run(tiny_data_dir, tmp_path_factory):
    """A finished tiny GAN run with an evaluation's metrics.json, as write_metrics writes it."""
    run = tiny_run("gan", tiny_data_dir, tmp_path_factory.mktemp("runs"))
    document = {RUNS: {run_key(run): {SAMPLES_SECTION: {keys.FID: 96.0}}}}
    (run / "metrics.json").write_text(json.dumps(document))
    return run


def test_a_damaged_run_is_listed_with_its_reason_and_opening_it_says_what_is_wrong(
    qtbot, good_run, tiny_data_dir, tmp_path
):
    runs = tmp_path / "runs"
    good = copy_run(good_run, runs / "good")
    bad = copy_run(good_run, runs / "bad")
    Damage("config.json", "truncate", 0.5).apply(bad)
    window = make_window(qtbot, tmp_path, tiny_data_dir)  # its Runs tab lists `runs`
    pane = window.runs
    assert pane.shown_states() == {"finished": 1, DAMAGED: 1}
    (r,) = [r for r in range(2) if pane.row_at(r).path == bad]
    reason = pane.table.item(r, COLUMNS.index("metrics")).text()
    assert "config.json: damaged: not valid JSON" in reason
    assert reason in pane.table.item(r, 0).toolTip()
    pane.table.selectAll()  # the overlay takes the readable run and leaves the damaged one out
    assert [curve.label for curve in pane.overlay.plot.spec.curves] == [pane.row_at(1 - r).label]
    pane.open_requested.emit(bad)
    assert "config.json: damaged: not valid JSON" in window.training.messages.text
    pane.open_requested.emit(good)
    assert window.training.run_dirs["gan"] == good


def test_following_a_run_whose_metrics_become_unreadable_stops_and_says_why(
    qtbot, good_run, tmp_path
):
    folder = copy_run(good_run, tmp_path / "followed")
    (folder / "run.json").unlink()  # still 'running' as far as the follower knows
    view = FollowView(folder)
    qtbot.addWidget(view)
    assert view.timer.isActive()
    Damage("metrics.jsonl", "directory").apply(folder)
    with qtbot.waitSignal(view.ended, timeout=5000):
        assert view.poll() is None
    assert "metrics.jsonl: cannot be read: Is a directory" in view.status.text()
    assert not view.timer.isActive()


def test_the_app_starts_and_lists_30_damaged_runs_as_damaged(good_run, tmp_path):
    runs = tmp_path / "runs"
    for n in range(STARTUP_RUNS):
        damage = ROW_DAMAGES[n % len(ROW_DAMAGES)]
        # checkpoints left out: the Runs view does not read them, and 30 copies cost time
        folder = shutil.copytree(
            good_run, runs / f"run-{n:02d}", ignore=shutil.ignore_patterns("*.pt")
        )
        damage.apply(folder)
    done = launch_to_first_paint(tmp_path, runs)
    assert done.returncode == 0, done.stderr
    assert painted_at(done.stdout) is not None, done.stdout
    assert shown_at_first_paint(done.stdout) == {"runs": {DAMAGED: STARTUP_RUNS}}
    assert "Traceback" not in done.stderr
