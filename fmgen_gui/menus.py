"""The main window's menu bar: File (runs, checkpoints, exports), Training and Help."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QAbstractButton, QMenu, QMenuBar


class TrainingActions(Protocol):
    """What the Training menu drives: the Training tab's actions and the buttons that own
    their shortcuts."""

    start_button: QAbstractButton
    resume_button: QAbstractButton
    pause_button: QAbstractButton
    stop_button: QAbstractButton

    def start(self) -> object: ...
    def resume_run(self) -> object: ...
    def toggle_pause(self) -> object: ...
    def stop(self) -> object: ...


class WindowActions(Protocol):
    """What the menus need of the window (MainWindow), so the menus never import it."""

    training: TrainingActions

    def menuBar(self) -> QMenuBar: ...
    def open_run_dialog(self) -> object: ...
    def open_checkpoint_dialog(self) -> object: ...
    def follow_run_dialog(self) -> object: ...
    def export_run_dialog(self) -> object: ...
    def save_checkpoint_dialog(self) -> object: ...
    def export_report(self) -> object: ...
    def export_samples(self) -> object: ...
    def close(self) -> object: ...
    def show_about(self) -> object: ...


def build_menus(window: WindowActions) -> QAction:
    """Fill `window`'s menu bar with its actions; returns Help > About fmgen."""
    file_menu = window.menuBar().addMenu("&File")
    _action(file_menu, "&Open run folder…", window.open_run_dialog, QKeySequence.StandardKey.Open)
    _action(file_menu, "Open &checkpoint or run archive…", window.open_checkpoint_dialog)
    _action(file_menu, "&Follow run folder…", window.follow_run_dialog)
    _action(file_menu, "Export run as .&zip…", window.export_run_dialog)
    _action(
        file_menu,
        "&Save checkpoint as…",
        window.save_checkpoint_dialog,
        QKeySequence.StandardKey.SaveAs,
    )
    _action(file_menu, "&Export report…", window.export_report)
    _action(file_menu, "Export sa&mples…", window.export_samples)
    file_menu.addSeparator()
    _action(file_menu, "&Quit", window.close, QKeySequence.StandardKey.Quit)
    run_menu = window.menuBar().addMenu("&Training")
    t = window.training
    for text, slot, button in (
        ("&Start new run", t.start, t.start_button),
        ("&Resume run", t.resume_run, t.resume_button),
        ("&Pause / continue", t.toggle_pause, t.pause_button),
        ("S&top", t.stop, t.stop_button),
    ):
        action = _action(run_menu, text, lambda *_, s=slot: s())
        action.setShortcut(button.shortcut())
        action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)  # the button owns it
    help_menu = window.menuBar().addMenu("&Help")
    return _action(help_menu, "&About fmgen", window.show_about)


def _action(
    menu: QMenu, text: str, slot: Callable, shortcut: QKeySequence.StandardKey | None = None
) -> QAction:
    action = menu.addAction(text)
    action.triggered.connect(slot)
    if shortcut is not None:
        action.setShortcut(QKeySequence(shortcut))
    return action
