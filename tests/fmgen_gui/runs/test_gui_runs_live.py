"""The Runs tab follows the runs folder on its own, keeps the chosen runs chosen, and fits."""

from __future__ import annotations

import json
import shutil

import pytest
from PySide6.QtCore import QItemSelectionModel

from fmgen_gui.runs.follow_view import FollowView
from fmgen_gui.runs.pane import MIN_TABLE_ROWS, POLL_MS, RunsPane
from fmgen_gui.widgets.loss_plot import MIN_DATA_PX
from tests.runs import tiny_run, tiny_sweep
from trainer.common import keys
from trainer.config.settings import default_config
from trainer.runs.folder import RunFolder
from trainer.runs.index import RunIndex
from trainer.runs.metrics_json import RUNS, SAMPLES_SECTION
from trainer.runs.pins import run_key


@pytest.fixture(scope="module")
def made(tiny_data_dir, tmp_path_factory):
    """Two VAE runs of a sweep and a GAN run, finished, to copy into a test's runs folder."""
    root = tmp_path_factory.mktemp("made")
    vaes = tiny_sweep("vae", tiny_data_dir, root / "betas", {"beta": ["1", "4"]}, epochs=2)
    gan = tiny_run("gan", tiny_data_dir, root / "gan")
    return {"vae1": vaes[0], "vae4": vaes[1], "gan": gan}


def add_fid(run, value: float) -> None:
    """Write an FID into the run's metrics.json as an evaluation leaves it."""
    document = {RUNS: {run_key(run): {SAMPLES_SECTION: {keys.FID: value}}}}
    (run / "metrics.json").write_text(json.dumps(document))


def shown_pane(qtbot, roots, tmp_path) -> RunsPane:
    pane = RunsPane(roots, RunIndex(tmp_path / "runs.json"))
    qtbot.addWidget(pane)
    pane.resize(1280, 800)
    pane.show()
    qtbot.waitExposed(pane)
    return pane


def paths(pane: RunsPane) -> list:
    return [row.path for row in pane.selected()]


def test_new_runs_and_their_fids_appear_without_refresh(qtbot, made, tmp_path):
    live = tmp_path / "runs"
    first = shutil.copytree(made["vae1"], live / "a")
    pane = shown_pane(qtbot, [live], tmp_path)
    assert pane.table.rowCount() == 1
    shutil.copytree(made["gan"], live / "b")  # a run another process starts
    qtbot.waitUntil(lambda: pane.table.rowCount() == 2, timeout=3 * POLL_MS)
    assert all(row.fid is None for row in pane.rows)
    add_fid(first, 123.4)  # its evaluation ends
    qtbot.waitUntil(
        lambda: any(row.path == first and row.fid == 123.4 for row in pane.rows),
        timeout=3 * POLL_MS,
    )


def test_a_row_is_read_again_only_when_its_files_change(made, tmp_path):
    run = shutil.copytree(made["vae1"], tmp_path / "runs" / "a")
    index = RunIndex(tmp_path / "runs.json")
    row = index.row(run)
    assert index.row(run) is row  # unchanged files: not read again
    add_fid(run, 99.0)
    assert index.row(run).fid == 99.0
    index.set_user(run, label="mine")  # the user's label is no file of the run's
    assert index.row(run).label == "mine"


def test_the_selection_follows_runs_not_rows(qtbot, made, tmp_path):
    live = tmp_path / "runs"
    vae = shutil.copytree(made["vae1"], live / "m-vae")
    gan = shutil.copytree(made["gan"], live / "n-gan")
    pane = shown_pane(qtbot, [live], tmp_path)
    pane.table.selectAll()
    assert sorted(paths(pane)) == [vae, gan]
    shutil.copytree(made["vae4"], live / "a-first")  # listed before both
    pane.refresh()
    assert pane.table.rowCount() == 3
    assert sorted(paths(pane)) == [vae, gan]


def test_the_table_fits_a_1280_px_view_and_long_cells_show_in_their_tooltip(qtbot, made, tmp_path):
    live = tmp_path / "runs"
    for name in ("vae1", "vae4", "gan"):
        shutil.copytree(made[name], live / name)
    damaged = shutil.copytree(made["vae1"], live / "damaged")
    # A long Last-test-metrics cell, as a DDPM's (or a damaged run's reason) is.
    (damaged / "config.json").write_text("{" + '"a long and broken setting": 1, ' * 12)
    pane = shown_pane(qtbot, [live], tmp_path)
    table, header = pane.table, pane.table.horizontalHeader()
    assert header.length() <= table.viewport().width(), "columns past the right edge"
    assert header.length() >= table.viewport().width() - 2  # no empty band on the right
    elided = []
    for column in range(table.columnCount()):
        name = table.horizontalHeaderItem(column).text()
        content = max(table.sizeHintForColumn(column), header.sectionSizeHint(column))
        if name not in ("Settings", "Last test metrics"):  # the short ones keep their content
            assert header.sectionSize(column) >= content, name
            continue
        if header.sectionSize(column) < content:
            elided.append(name)
        for item in (table.item(row, column) for row in range(table.rowCount())):
            assert item.text() in item.toolTip(), f"{name}: an elided cell's text is lost"
    assert elided == ["Last test metrics"]  # the long reason is cut, and in its tooltip


def select(pane: RunsPane, names: set[str]) -> None:
    """Select the rows of the runs in folders named `names`, as a ctrl-click would add them."""
    pane.table.clearSelection()
    flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
    for r in range(pane.table.rowCount()):
        if pane.row_at(r).path.name in names:
            pane.table.selectionModel().select(pane.table.model().index(r, 0), flags)


def test_the_overlay_is_labelled_has_room_and_says_why_it_is_empty(qtbot, made, tmp_path):
    live = tmp_path / "runs"
    for name in ("vae1", "vae4", "gan"):
        shutil.copytree(made[name], live / name)
    pane = shown_pane(qtbot, [live], tmp_path)
    assert not pane.overlay.series.isEnabled() and pane.overlay.series.placeholderText()
    assert "Select one or more runs" in pane.overlay.note.text()
    select(pane, {"vae1", "gan"})  # a VAE and a GAN log different series
    assert pane.overlay.series.count() == 0 and not pane.overlay.series.isEnabled()
    note = pane.overlay.note.text()
    assert "share no series" in note and "(GAN, VAE)" in note and pane.overlay.note.isVisible()
    select(pane, {"vae1", "vae4"})
    assert (
        pane.overlay.series.currentText() == "test/neg_elbo" and not pane.overlay.note.isVisible()
    )
    qtbot.waitUntil(lambda: pane.overlay.plot.isVisible())
    assert pane.overlay.plot.data_height() >= MIN_DATA_PX
    rows = pane.table.verticalHeader().defaultSectionSize()
    assert pane.table.height() >= MIN_TABLE_ROWS * rows  # the plot did not crush the table
    assert pane.minimumSizeHint().height() <= 500  # and the tab fits a laptop's screen


def test_the_settings_cell_says_the_latent_size_once(made, tmp_path):
    row = RunIndex(tmp_path / "runs.json").row(made["vae1"])
    assert row.settings.startswith("latent 4, ") and row.settings.count("latent") == 1


def test_a_followed_runs_plots_scroll_rather_than_squash(qtbot, tmp_path):
    folder = tmp_path / "ddpm-run"
    folder.mkdir()
    RunFolder(folder).write_config(default_config("ddpm"))  # a run another process starts
    view = FollowView(folder)
    qtbot.addWidget(view)
    view.resize(900, 400)  # a short follow tab
    view.show()
    qtbot.waitExposed(view)
    assert all(plot.data_height() >= MIN_DATA_PX for plot in view.view.plots)
    assert view.height() == 400 and view.minimumSizeHint().height() <= 400  # it scrolls
