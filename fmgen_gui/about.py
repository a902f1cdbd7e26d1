"""Help > About (versions, device, folders, licence) and a model's 'About this model' page."""

from __future__ import annotations

import platform
from importlib.metadata import PackageNotFoundError, metadata
from pathlib import Path

import pyqtgraph
import PySide6
import torch
from PySide6.QtCore import Qt, qVersion
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

import trainer
from fmgen_gui.assets import app_icon, model_page
from trainer.common.errors import FmgenError
from trainer.config.device import describe_device, resolve_device, training_threads
from trainer.data.fashion_mnist import locate
from trainer.registry import ModelSpec


def licence() -> str:
    """The licence the installed package declares ('MIT')."""
    try:
        return metadata("fmgen")["License"] or "see the LICENSE file"
    except PackageNotFoundError:  # run from a checkout that was never installed
        return "see the LICENSE file"


def data_folder(data_dir: str | None) -> str:
    """Where the Fashion-MNIST files are found, or why they are not."""
    try:
        return locate(data_dir)[1]
    except FmgenError:
        return "not found: File > Open or the Train tab's data folder, or fmgen-train --fetch-data"


def about_facts(device: str, data_dir: str | None, runs_dir: Path) -> list[tuple[str, str]]:
    """(label, value) rows of the About dialog for the chosen device spec and folders."""
    return [
        ("Version", f"fmgen {trainer.__version__}"),
        ("Python", platform.python_version()),
        ("PyTorch", torch.__version__),
        ("Qt", f"{qVersion()} (PySide6 {PySide6.__version__}, pyqtgraph {pyqtgraph.__version__})"),
        ("Device", describe_device(resolve_device(device), training_threads())),  # a run's threads
        ("Data folder", data_folder(data_dir)),
        ("Runs folder", str(runs_dir)),
        ("Licence", licence()),
    ]


def _closing_buttons(dialog: QDialog) -> QDialogButtonBox:
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
    buttons.rejected.connect(dialog.reject)
    return buttons


class AboutDialog(QDialog):
    """The app's icon and name over a table of `about_facts`; every value can be selected."""

    def __init__(self, facts: list[tuple[str, str]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("About fmgen")
        icon = QLabel(pixmap=app_icon().pixmap(64, 64))
        heading = QLabel(
            "<b style='font-size:14pt'>fmgen</b><br>"
            "A workbench for generative models on Fashion-MNIST"
        )
        top = QHBoxLayout()
        top.addWidget(icon, alignment=Qt.AlignmentFlag.AlignTop)
        top.addWidget(heading, stretch=1)
        form = QFormLayout()
        self.values: dict[str, QLabel] = {}
        for label, value in facts:
            self.values[label] = QLabel(value, wordWrap=True)
            self.values[label].setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            form.addRow(f"{label}:", self.values[label])
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(form)
        layout.addWidget(_closing_buttons(self))
        self.setMinimumWidth(480)

    @classmethod
    def show_for(
        cls, parent: QWidget, device: str, data_dir: str | None, runs_dir: Path
    ) -> AboutDialog:
        """Open the dialog (window-modal; returns at once) with the facts of these settings."""
        dialog = cls(about_facts(device, data_dir, runs_dir), parent)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog


def model_markdown(spec: ModelSpec) -> str:
    """A registry entry's About page: its title, description and objective, then its page."""
    head = f"## {spec.title}\n\n{spec.description}\n\n**Objective:** {spec.objective}.\n\n"
    return head + model_page(spec)


class ModelAboutDialog(QDialog):
    """'About this model': `model_markdown` of one registry entry; links open in a browser."""

    def __init__(self, spec: ModelSpec, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"About the {spec.label}")
        self.text = QTextBrowser(openExternalLinks=True)
        self.text.setMarkdown(model_markdown(spec))
        layout = QVBoxLayout(self)
        layout.addWidget(self.text)
        layout.addWidget(_closing_buttons(self))
        self.resize(620, 640)
