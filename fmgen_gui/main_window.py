"""MainWindow: the workspace tabs, menus, status bar, settings and a clean close."""

from __future__ import annotations

import json
import os
import shutil
import sys
import time
from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QDialog, QLabel, QMainWindow, QTabWidget

from fmgen_gui.about import AboutDialog
from fmgen_gui.assets import app_icon
from fmgen_gui.classifier_service import ClassifierService
from fmgen_gui.explorer.pane import ExplorerPane
from fmgen_gui.export import ask_figure_path
from fmgen_gui.file_dialogs import ask_folder, ask_open_file, ask_save_file, recent_folders
from fmgen_gui.menus import build_menus
from fmgen_gui.model_store import ModelStore
from fmgen_gui.report.pane import EvaluationPane
from fmgen_gui.runs.follow_view import FollowView
from fmgen_gui.runs.pane import RunsPane
from fmgen_gui.sample_export import SampleExportDialog, SampleExporter, ask_samples_path
from fmgen_gui.session import remember_session, restore_session
from fmgen_gui.tasks import TaskRunner
from fmgen_gui.training.controller import TrainingController
from fmgen_gui.training.pane import TrainingPane
from fmgen_gui.widgets.progress import fix_size_for
from fmgen_gui.widgets.status_timeout import fade_messages
from trainer.common.errors import FmgenError
from trainer.common.files import atomic_path, default_runs_dir
from trainer.common.words import plural
from trainer.config.device import available_devices
from trainer.registry import get_model
from trainer.runs.archive import archive_run, extract_run
from trainer.runs.pins import PinStore

CLOSE_TIMEOUT_S = 10.0


class MainWindow(QMainWindow):
    """The whole app: Train (and later Explore and Evaluate) tabs over one model store."""

    def __init__(self, settings: QSettings | None = None, runs_dir: Path | None = None) -> None:
        super().__init__()
        self.setWindowTitle("fmgen — generative models on Fashion-MNIST")
        self.setWindowIcon(app_icon())
        self.settings = settings or QSettings("fmgen", "fmgen")
        self.controller = TrainingController(self)
        self.models = ModelStore(self)
        self.training = TrainingPane(
            self.controller, available_devices(), runs_dir or default_runs_dir()
        )
        runs = self.training.runs_dir
        recent_folders.use(self.settings, runs=runs, checkpoints=runs)
        self.classifier = ClassifierService(self.data_dir, self)
        self.pins = PinStore()  # one store: pins made in Explore show at once in Evaluate
        self.explorer = ExplorerPane(self.models, self.classifier, self.data_dir, self.pins)
        self.report = EvaluationPane(
            self.models, self.data_dir, self.pins, self.settings, self.classifier
        )
        self.tabs = QTabWidget()
        self.tabs.addTab(self.training, "Train")
        self.tabs.addTab(self.explorer, "Explore")
        self.tabs.addTab(self.report, "Evaluate and report")
        self.runs = RunsPane([self.training.runs_dir])
        self.tabs.addTab(self.runs, "Runs")
        self.tabs.setTabsClosable(True)  # follow tabs close; the four workspaces cannot
        self.tabs.tabCloseRequested.connect(self._close_follow_tab)
        for index in range(self.tabs.count()):
            self.tabs.tabBar().setTabButton(
                index, self.tabs.tabBar().ButtonPosition.RightSide, None
            )
        self.runs.open_requested.connect(self.open_run)
        self.runs.follow_requested.connect(self.follow_run)
        self.runs.save_requested.connect(self.save_view)
        self.runs.report_requested.connect(self.report_on)
        self.setCentralWidget(self.tabs)
        self._build_status_bar()
        self.about_action = build_menus(self)
        self.exporter = SampleExporter(self)
        self.exporter.progress.connect(lambda _, text: self.statusBar().showMessage(text))
        self.exporter.done.connect(self._on_samples_exported)
        self.exporter.failed.connect(lambda message: self.show_message(message, "error"))
        self.explorer.export_samples_button.clicked.connect(self.export_samples)
        self.explorer.test_labels_loaded.connect(self.report.pins_list.set_test_labels)
        self.training.checkpoint_ready.connect(self.models.set_checkpoint)
        self.training.save_view_requested.connect(self.save_view)
        # Settings first: restoring the panel's Data folder clears the Train tab's messages, and
        # the session's "Not reopened: ..." must outlive it.
        self.restore_settings()
        if reopened := restore_session(self.settings, self.training, self.report):
            self.statusBar().showMessage(f"Reopened {plural(reopened, 'run')} of the last session")

    def report_on(self, folders: list[Path]) -> None:
        """Runs tab > Evaluate and report: the Evaluate tab takes those runs."""
        self.report.choose_runs(folders)
        self.tabs.setCurrentWidget(self.report)

    def data_dir(self) -> str | None:
        """The data folder chosen in the training settings (None: the usual lookup)."""
        return self.training.config_panel.data_dir.text().strip() or None

    def _build_status_bar(self) -> None:
        self.speed_label = QLabel()
        fix_size_for(self.speed_label, "999,999 images/s, fp32 (timings too uneven to choose)")
        self.statusBar().addPermanentWidget(self.speed_label)
        self.status_timer = fade_messages(self.statusBar())
        self.training.status.connect(self.statusBar().showMessage)
        self.training.speed.connect(self.speed_label.setText)
        self.training.precision_reason.connect(self.speed_label.setToolTip)
        self.statusBar().showMessage("Ready: choose settings and press Start new run")

    def show_about(self) -> AboutDialog:
        """Help > About: versions, the chosen device, the data and runs folders, the licence."""
        device = self.training.config_panel.device.currentData() or "auto"
        return AboutDialog.show_for(self, device, self.data_dir(), self.training.runs_dir)

    def open_run(self, path: Path | str) -> None:
        """Show a run folder, checkpoint or run archive in the training pane."""
        try:
            if Path(path).suffix == ".zip":  # an archive unpacks into the runs folder first
                path = extract_run(path, self.training.runs_dir)
                self.runs.refresh()
            model = self.training.open_run(Path(path))
        except FmgenError as exc:
            self.show_message(str(exc), "error")
            return
        self.statusBar().showMessage(f"Opened the {get_model(model).label} run {path}")

    def open_run_dialog(self) -> None:
        """Ask for a run folder and open it."""
        folder = ask_folder(self, "Open a run folder", "runs")
        if folder is not None:
            self.open_run(folder)

    def open_checkpoint_dialog(self) -> None:
        """Ask for a checkpoint file and open it."""
        path = ask_open_file(
            self,
            "Open a checkpoint or run archive",
            "checkpoints",
            "Checkpoints and run archives (*.pt *.zip);;All files (*)",
        )
        if path is not None:
            self.open_run(path)

    def follow_run_dialog(self) -> None:
        """Ask for a run folder that another process writes, and follow it."""
        folder = ask_folder(self, "Follow a run folder", "runs")
        if folder is not None:
            self.follow_run(folder)

    def follow_run(self, folder: Path) -> None:
        """Show a run another process writes in its own tab, updated live."""
        try:
            view = FollowView(Path(folder))
        except FmgenError as exc:
            self.show_message(str(exc), "error")
            return
        view.view.save_requested.connect(self.save_view)
        self.tabs.setCurrentIndex(self.tabs.addTab(view, f"Following {Path(folder).name}"))

    def _close_follow_tab(self, index: int) -> None:
        widget = self.tabs.widget(index)
        if isinstance(widget, FollowView):
            widget.timer.stop()
            self.tabs.removeTab(index)
            widget.deleteLater()

    def export_run_dialog(self) -> None:
        """Write a run folder as a .zip (to open or resume on another machine)."""
        folder = ask_folder(self, "Export a run folder as .zip", "runs")
        if folder is not None:
            try:
                path = archive_run(folder)
            except (FmgenError, OSError) as exc:
                self.show_message(f"Not exported: {exc}", "error")
                return
            self.statusBar().showMessage(f"Wrote {path}")

    def save_checkpoint_dialog(self) -> None:
        """Copy the shown model's checkpoint to a file the user picks."""
        model = self.training.config_panel.model_key
        source = self.models.checkpoint_path(model)
        if source is None or not source.is_file():
            self.show_message(
                f"No {get_model(model).label} checkpoint yet: train or open a run.", "error"
            )
            return
        chosen = ask_save_file(
            self, "Save checkpoint as", "checkpoints", f"{model}.pt", "Checkpoints (*.pt)"
        )
        if chosen is not None:
            self.save_checkpoint(model, chosen[0])

    def save_checkpoint(self, model: str, target: Path) -> None:
        """Copy the checkpoint of `model` to `target` atomically; errors become a message."""
        try:
            with atomic_path(target) as tmp:
                shutil.copyfile(self.models.checkpoint_path(model), tmp)
        except OSError as exc:
            self.show_message(f"The checkpoint was not saved: {exc}", "error")
            return
        self.statusBar().showMessage(f"Saved the {get_model(model).label} checkpoint to {target}")

    def export_report(self) -> None:
        """Go to the evaluation tab and export (evaluating first if nothing is evaluated yet)."""
        self.tabs.setCurrentWidget(self.report)
        if self.report.evaluation is None:
            self.report.evaluate()
        else:
            self.report.export_dialog()

    def export_samples(self) -> None:
        """Ask which model's samples, how many and where; write them in the background."""
        models = SampleExportDialog.offered(self.models.available())
        if not models:
            self.show_message("No trained model yet that draws samples: train one.", "error")
            return
        on_explorer = self.tabs.currentWidget() is self.explorer
        current = self.explorer.source if on_explorer else self.training.config_panel.model_key
        dialog = SampleExportDialog(models, current, self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        model = dialog.model.currentData()
        path = ask_samples_path(self, f"{model}-samples.npz")
        if path is not None:
            self.exporter.export(self.models.checkpoint_path(model), dialog.request(), path)

    def _on_samples_exported(self, text: str) -> None:
        self.statusBar().showMessage(text)
        self.show_message(text, "info")

    def show_message(self, text: str, kind: str) -> None:
        """Show `text` in the message bar of the tab on screen."""
        pane = self.tabs.currentWidget()
        bar = getattr(pane, "messages", None) or self.training.messages
        bar.show_message(text, kind)

    def save_view(self, view) -> None:
        """Ask where to save a plot or grid, then save it; errors become a message."""
        path = ask_figure_path(self, "Save figure", f"{_slug(getattr(view, 'title', ''))}.png")
        if path is None:
            return
        try:
            view.save_figure(path)
        except (OSError, ValueError) as exc:
            self.show_message(f"The figure was not saved: {exc}", "error")
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
        """Save settings, stop all background work cooperatively (a run saves a checkpoint)
        and wait for it: every job checks its cancel at least once per batch (a DDPM's
        sampling once per denoising step), so this takes well under a second unless a download
        is going."""
        self.save_settings()
        # Before the wait: a job that outlasts it ends the process below, and must not take the
        # session (the runs loaded, Evaluate's choice) with it.
        remember_session(self.settings, self.training, self.report)
        # Every runner the window owns, those of open views (the sample chain's) included.
        runners = [r for r in self.findChildren(TaskRunner) if r is not self.controller.runner]
        self.controller.stop()
        for runner in runners:
            runner.cancel()  # all at once, so that they wind down side by side
        deadline = time.monotonic() + CLOSE_TIMEOUT_S
        if not all(
            owner.shutdown(max(deadline - time.monotonic(), 0))
            for owner in (self.controller, *runners)
        ):
            # The thread did not stop in time (e.g. a download); leaving would abort Qt with
            # "QThread destroyed while running", so end the process without unwinding Qt.
            print("fmgen: background work did not stop in time; exiting", file=sys.stderr)
            os._exit(1)
        # Again: a run stopped by this close has now saved its checkpoint.
        remember_session(self.settings, self.training, self.report)
        for dialog in self.findChildren(QDialog):  # a non-modal view would keep the app alive
            dialog.close()
        event.accept()


def _slug(title: str) -> str:
    words = "".join(c if c.isalnum() else " " for c in title.lower()).split()
    return "-".join(words[:6]) or "figure"
