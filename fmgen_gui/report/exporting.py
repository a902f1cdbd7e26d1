"""Exporter: the Evaluate tab's export, from the dialog (who hands it in, where, which runs go
on the page) to the files (report.pdf, theory.pdf, figures/, metrics.json)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QWidget

from fmgen_gui.report.evaluated import Evaluated
from fmgen_gui.report.export_dialog import ExportChoices, ExportDialog
from fmgen_gui.report.page import export_report
from fmgen_gui.widgets.message_bar import MessageBar
from trainer.report.descriptions import descriptions


class Exporter:
    """Exports the evaluation `current()` gives: None while there is none to export (none
    yet, or stale), since the page must only show the numbers of the runs loaded now."""

    def __init__(
        self,
        parent: QWidget,
        settings: QSettings,
        messages: MessageBar,
        current: Callable[[], Evaluated | None],
    ) -> None:
        self.parent, self.settings, self.messages, self.current = (
            parent,
            settings,
            messages,
            current,
        )

    def dialog(self) -> None:
        """Ask who hands it in, where, and (for more than 4 runs) which runs go on the page."""
        evaluated = self.current()
        if evaluated is None:
            self.messages.show_message(
                "Press Evaluate first: the report shows the numbers of the runs loaded now.",
                "error",
            )
            return
        evaluation = evaluated.evaluation
        labels = {key: run.facts.label for key, run in evaluation.runs.items()}
        made = descriptions(evaluation.metrics)
        dialog = ExportDialog(labels, self.settings, self.parent, made)
        if dialog.exec():
            choices = dialog.choices()
            self.export(choices.folder, choices)

    def export(self, folder: Path, choices: ExportChoices | None = None) -> Path | None:
        """Write report.pdf, its preview, the figures and metrics.json into `folder`."""
        evaluated = self.current()
        options = evaluated.options if choices is None else choices.apply_to(evaluated.options)
        try:
            files = export_report(evaluated.evaluation, options, folder)
        except OSError as exc:
            self.messages.show_message(f"The report was not written: {exc}", "error")
            return None
        self.messages.show_message(
            f"Report written: {files.pdf} (and theory.pdf, figures/)", "info"
        )
        return files.pdf
