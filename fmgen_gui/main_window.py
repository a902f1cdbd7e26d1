"""MainWindow: the workspace tabs, menus, status bar, settings and a clean close."""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import QFileDialog, QLabel, QMainWindow, QTabWidget

from fmgen_gui.classifier_service import ClassifierService
from fmgen_gui.explorer.pane import ExplorerPane
from fmgen_gui.export import ask_figure_path
from fmgen_gui.model_store import ModelStore
from fmgen_gui.report.pane import EvaluationPane
from fmgen_gui.training.controller import TrainingController
from fmgen_gui.training.pane import TrainingPane
from fmgen_gui.widgets.progress import fix_size_for
from trainer.device import available_devices
from trainer.errors import FmgenError
from trainer.files import atomic_path, default_runs_dir

CLOSE_TIMEOUT_S = 10.0


class MainWindow(QMainWindow):
    """The whole app: Train (and later Explore and Evaluate) tabs over one model store."""

    def __init__(self, settings: QSettings | None = None, runs_dir: Path | None = None) -> None:
        super().__init__()
        self.setWindowTitle("fmgen — generative models on Fashion-MNIST")
        self.settings = settings or QSettings("fmgen", "fmgen")
        self.controller = TrainingController(self)
        self.models = ModelStore(self)
        self.training = TrainingPane(
            self.controller, available_devices(), runs_dir or default_runs_dir()
        )
        self.classifier = ClassifierService(self.data_dir, self)
        self.explorer = ExplorerPane(self.models, self.classifier, self.data_dir)
        self.report = EvaluationPane(self.models, self.data_dir)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.training, "Train")
        self.tabs.addTab(self.explorer, "Explore")
        self.tabs.addTab(self.report, "Evaluate and report")
        self.setCentralWidget(self.tabs)
        self._build_status_bar()
        self._build_menus()
        self.training.checkpoint_ready.connect(self.models.set_checkpoint)
        self.training.save_view_requested.connect(self.save_view)
        self.restore_settings()

    def data_dir(self) -> str | None:
        """The data folder chosen in the training settings (None: the usual lookup)."""
        return self.training.config_panel.data_dir.text().strip() or None

    def _build_status_bar(self) -> None:
        self.speed_label = QLabel()
        fix_size_for(self.speed_label, "999,999 images/s")
        self.statusBar().addPermanentWidget(self.speed_label)
        self.training.status.connect(self.statusBar().showMessage)
        self.training.speed.connect(self.speed_label.setText)
        self.statusBar().showMessage("Ready: choose settings and press Start new run")

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        self._action(
            file_menu, "&Open run folder…", self.open_run_dialog, QKeySequence.StandardKey.Open
        )
        self._action(file_menu, "Open &checkpoint…", self.open_checkpoint_dialog)
        self._action(
            file_menu,
            "&Save checkpoint as…",
            self.save_checkpoint_dialog,
            QKeySequence.StandardKey.SaveAs,
        )
        self._action(file_menu, "&Export report…", self.export_report)
        file_menu.addSeparator()
        self._action(file_menu, "&Quit", self.close, QKeySequence.StandardKey.Quit)
        run_menu = self.menuBar().addMenu("&Training")
        t = self.training
        for text, slot, button in (
            ("&Start new run", t.start, t.start_button),
            ("&Resume run", t.resume_run, t.resume_button),
            ("&Pause / continue", t.toggle_pause, t.pause_button),
            ("S&top", t.stop, t.stop_button),
        ):
            action = self._action(run_menu, text, lambda *_, s=slot: s())
            action.setShortcut(button.shortcut())
            action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)  # the button owns it

    def _action(self, menu, text: str, slot, shortcut=None) -> QAction:
        action = menu.addAction(text)
        action.triggered.connect(slot)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        return action

    def open_run(self, path: Path | str) -> None:
        """Show a run folder or checkpoint in the training pane; errors become a message."""
        try:
            model = self.training.open_run(Path(path))
        except FmgenError as exc:
            self.training.messages.show_message(str(exc), "error")
            return
        self.statusBar().showMessage(f"Opened the {model.upper()} run {path}")

    def open_run_dialog(self) -> None:
        """Ask for a run folder and open it."""
        folder = QFileDialog.getExistingDirectory(
            self, "Open a run folder", str(self.training.runs_dir)
        )
        if folder:
            self.open_run(folder)

    def open_checkpoint_dialog(self) -> None:
        """Ask for a checkpoint file and open it."""
        name, _ = QFileDialog.getOpenFileName(
            self,
            "Open a checkpoint",
            str(self.training.runs_dir),
            "Checkpoints (*.pt);;All files (*)",
        )
        if name:
            self.open_run(name)

    def save_checkpoint_dialog(self) -> None:
        """Copy the shown model's checkpoint to a file the user picks."""
        model = self.training.config_panel.model_key
        source = self.models.checkpoint_path(model)
        if source is None or not source.is_file():
            self.training.messages.show_message(
                f"No {model.upper()} checkpoint yet: train or open a run.", "error"
            )
            return
        name, _ = QFileDialog.getSaveFileName(
            self, "Save checkpoint as", f"{model}.pt", "Checkpoints (*.pt)"
        )
        if name:
            self.save_checkpoint(model, Path(name))

    def save_checkpoint(self, model: str, target: Path) -> None:
        """Copy the checkpoint of `model` to `target` atomically; errors become a message."""
        try:
            with atomic_path(target) as tmp:
                shutil.copyfile(self.models.checkpoint_path(model), tmp)
        except OSError as exc:
            self.training.messages.show_message(f"The checkpoint was not saved: {exc}", "error")
            return
        self.statusBar().showMessage(f"Saved the {model.upper()} checkpoint to {target}")

    def export_report(self) -> None:
        """Go to the evaluation tab and export (evaluating first if nothing is evaluated yet)."""
        self.tabs.setCurrentWidget(self.report)
        if self.report.evaluation is None:
            self.report.evaluate()
        else:
            self.report.export_dialog()

    def save_view(self, view) -> None:
        """Ask where to save a plot or grid, then save it; errors become a message."""
        path = ask_figure_path(self, "Save figure", f"{_slug(getattr(view, 'title', ''))}.png")
        if path is None:
            return
        try:
            view.save_figure(path)
        except (OSError, ValueError) as exc:
            self.training.messages.show_message(f"The figure was not saved: {exc}", "error")
            return
        self.statusBar().showMessage(f"Saved {path}")

    def restore_settings(self) -> None:
        """The last used settings and window geometry."""
        geometry = self.settings.value("window/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        else:
            self.resize(1280, 800)
        try:
            state = json.loads(self.settings.value("training/panel", "{}"))
        except (TypeError, ValueError):
            state = {}
        if state:
            self.training.config_panel.restore(state)

    def save_settings(self) -> None:
        """Remember settings and geometry for the next start."""
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.settings.setValue("training/panel", json.dumps(self.training.config_panel.state()))
        self.settings.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        """Save settings, stop a run cooperatively (it saves a checkpoint) and wait for it."""
        self.save_settings()
        background = (
            self.controller,
            self.explorer.loader.runner,
            self.classifier.runner,
            self.report.runner,
        )
        if not all(owner.shutdown(CLOSE_TIMEOUT_S) for owner in background):
            # The thread did not stop in time (e.g. a download); leaving would abort Qt with
            # "QThread destroyed while running", so end the process without unwinding Qt.
            print("fmgen: background work did not stop in time; exiting", file=sys.stderr)
            os._exit(1)
        event.accept()


def _slug(title: str) -> str:
    words = "".join(c if c.isalnum() else " " for c in title.lower()).split()
    return "-".join(words[:6]) or "figure"
