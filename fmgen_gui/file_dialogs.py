"""File dialogs that open where the user last chose a file of the same kind.

Every QFileDialog of the app goes through here. The last folder per kind of file (run
folders, checkpoints, figures, reports, the data folder) is kept in the window's QSettings,
so a dialog opens where the user was working, not in the program's working directory.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QFileDialog, QWidget

KINDS = ("runs", "checkpoints", "figures", "reports", "data")


class RecentFolders:
    """The folder each kind of file was last chosen in; `defaults` until one was chosen."""

    def __init__(self) -> None:
        self.settings: QSettings | None = None  # None: nothing is remembered
        self.defaults: dict[str, Path] = {}

    def use(self, settings: QSettings, **defaults: Path) -> None:
        """Remember in `settings`; `defaults` (by kind) apply until a folder is chosen."""
        self.settings, self.defaults = settings, {k: Path(v) for k, v in defaults.items()}

    def start(self, kind: str) -> Path:
        """Where a dialog of `kind` opens: the last folder chosen, if it still exists."""
        if kind not in KINDS:
            raise KeyError(f"unknown kind of file {kind!r}: one of {', '.join(KINDS)}")
        saved = self.settings.value(f"folders/{kind}") if self.settings is not None else None
        if saved and Path(saved).is_dir():
            return Path(saved)
        default = self.defaults.get(kind)
        return default if default is not None and default.is_dir() else Path.home()

    def remember(self, kind: str, chosen: Path | str, is_folder: bool) -> None:
        """Note the folder of a chosen file (or the chosen folder itself) for `kind`."""
        folder = Path(chosen) if is_folder else Path(chosen).parent
        if self.settings is not None:
            self.settings.setValue(f"folders/{kind}", str(folder))


recent_folders = RecentFolders()  # the main window gives it its settings and default folders


def ask_folder(parent: QWidget | None, title: str, kind: str) -> Path | None:
    """Ask for an existing folder of `kind`; None when cancelled."""
    folder = QFileDialog.getExistingDirectory(parent, title, str(recent_folders.start(kind)))
    if not folder:
        return None
    recent_folders.remember(kind, folder, is_folder=True)
    return Path(folder)


def ask_open_file(parent: QWidget | None, title: str, kind: str, filters: str) -> Path | None:
    """Ask for an existing file of `kind`; None when cancelled."""
    name, _ = QFileDialog.getOpenFileName(parent, title, str(recent_folders.start(kind)), filters)
    if not name:
        return None
    recent_folders.remember(kind, name, is_folder=False)
    return Path(name)


def ask_save_file(
    parent: QWidget | None, title: str, kind: str, suggested: str, filters: str
) -> tuple[Path, str] | None:
    """Ask where to save a file of `kind`; (path, chosen filter), or None when cancelled."""
    start = recent_folders.start(kind) / suggested
    name, chosen_filter = QFileDialog.getSaveFileName(parent, title, str(start), filters)
    if not name:
        return None
    recent_folders.remember(kind, name, is_folder=False)
    return Path(name), chosen_filter
