"""File dialogs open where the last file of their kind was chosen (a stand-in for the dialog)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QFileDialog

from fmgen_gui import file_dialogs
from fmgen_gui.export import ask_figure_path
from fmgen_gui.file_dialogs import ask_folder, ask_open_file, ask_save_file
from tests.gui_helpers import make_window


class FakeDialogs:
    """Replaces QFileDialog's static functions: records where each opened, answers `answer`."""

    def __init__(self, monkeypatch) -> None:
        self.opened_in: list[str] = []
        self.answer = ""

        def folder(parent, title, start):
            self.opened_in.append(start)
            return self.answer

        def file(parent, title, start, filters):
            self.opened_in.append(start)
            return self.answer, filters.split(";;")[0]

        monkeypatch.setattr(QFileDialog, "getExistingDirectory", folder)
        monkeypatch.setattr(QFileDialog, "getOpenFileName", file)
        monkeypatch.setattr(QFileDialog, "getSaveFileName", file)


@pytest.fixture
def dialogs(monkeypatch, tmp_path):
    recent = file_dialogs.recent_folders
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    monkeypatch.setattr(recent, "settings", settings)  # restored after the test
    monkeypatch.setattr(recent, "defaults", {"runs": tmp_path})
    return FakeDialogs(monkeypatch)


def test_each_kind_reopens_where_it_was_last_chosen(dialogs, tmp_path):
    reports, figures, data = (tmp_path / name for name in ("reports", "figures", "data"))
    for folder in (reports, figures, data):
        folder.mkdir()
    assert ask_folder(None, "Open a run folder", "runs") is None  # cancelled
    assert dialogs.opened_in[-1] == str(tmp_path)  # the default until something is chosen
    dialogs.answer = str(reports)
    assert ask_folder(None, "Folder for the report", "reports") == reports
    dialogs.answer = str(figures / "loss.png")
    assert ask_figure_path(None, "Save figure", "plot.png") == figures / "loss.png"
    dialogs.answer = str(data)
    ask_folder(None, "Folder with Fashion-MNIST", "data")
    dialogs.answer = ""
    ask_folder(None, "Folder for the report", "reports")
    assert dialogs.opened_in[-1] == str(reports)
    ask_figure_path(None, "Save figure", "grid.png")
    assert dialogs.opened_in[-1] == str(figures / "grid.png")  # the folder and the new name
    ask_folder(None, "Folder with Fashion-MNIST", "data")
    assert dialogs.opened_in[-1] == str(data)
    ask_open_file(None, "Open a checkpoint", "checkpoints", "Checkpoints (*.pt)")
    assert dialogs.opened_in[-1] == str(Path.home())  # nothing chosen, no default given


def test_the_folders_are_remembered_across_sessions(dialogs, tmp_path):
    checkpoints = tmp_path / "kept"
    checkpoints.mkdir()
    dialogs.answer = str(checkpoints / "vae.pt")
    ask_save_file(None, "Save checkpoint as", "checkpoints", "vae.pt", "Checkpoints (*.pt)")
    file_dialogs.recent_folders.settings.sync()
    later = file_dialogs.RecentFolders()
    later.use(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
    assert later.start("checkpoints") == checkpoints


def test_a_folder_that_is_gone_falls_back_to_the_default(dialogs, tmp_path):
    gone = tmp_path / "gone"
    gone.mkdir()
    dialogs.answer = str(gone)
    ask_folder(None, "Open a run folder", "runs")
    gone.rmdir()
    assert file_dialogs.recent_folders.start("runs") == tmp_path


def test_the_windows_dialogs_start_in_the_remembered_folders(dialogs, qtbot, tmp_path):
    (tmp_path / "runs").mkdir()
    window = make_window(qtbot, tmp_path, tmp_path)
    assert file_dialogs.recent_folders.settings is window.settings
    window.open_run_dialog()
    assert dialogs.opened_in[-1] == str(window.training.runs_dir)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    dialogs.answer = str(elsewhere / "missing.pt")
    window.open_checkpoint_dialog()  # the file is refused with a message; its folder is kept
    assert "no such checkpoint file" in window.training.messages.text
    dialogs.answer = ""
    window.open_checkpoint_dialog()
    assert dialogs.opened_in[-1] == str(elsewhere)
    window.training.config_panel._browse_data_dir()
    window.close()
