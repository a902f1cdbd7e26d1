"""The window's icon, Help > About, and the registry-driven 'About this model' page."""

from __future__ import annotations

from dataclasses import replace

import PySide6
import torch
from PySide6.QtCore import QSize, qVersion

import trainer
from fmgen_gui.about import AboutDialog, ModelAboutDialog
from fmgen_gui.assets import model_page
from fmgen_gui.widgets.config_panel import ConfigPanel
from tests.gui_helpers import make_window
from tests.toy_model import TOY, toy_model  # noqa: F401  (a fixture)
from trainer.registry import all_models, register_model


def test_the_window_has_the_apps_icon_and_title(qtbot, tmp_path, tiny_data_dir):
    window = make_window(qtbot, tmp_path, tiny_data_dir)
    sizes = window.windowIcon().availableSizes()
    assert QSize(16, 16) in sizes and QSize(256, 256) in sizes
    assert window.windowTitle().startswith("fmgen")


def test_help_about_shows_versions_device_folders_and_licence(qtbot, tmp_path, tiny_data_dir):
    window = make_window(qtbot, tmp_path, tiny_data_dir)  # device cpu, the tiny data folder
    window.about_action.trigger()
    dialog = window.findChild(AboutDialog)
    assert dialog is not None and dialog.isVisible()
    shown = {label: value.text() for label, value in dialog.values.items()}
    assert shown["Version"] == f"fmgen {trainer.__version__}"
    assert shown["PyTorch"] == torch.__version__
    assert qVersion() in shown["Qt"] and PySide6.__version__ in shown["Qt"]
    assert shown["Device"].startswith("cpu (")
    assert shown["Data folder"].startswith(str(tiny_data_dir))
    assert shown["Runs folder"] == str(tmp_path / "runs")
    assert shown["Licence"] == "MIT"
    window.training.config_panel.data_dir.setText(str(tmp_path / "nowhere"))
    window.about_action.trigger()
    assert any(
        d.values["Data folder"].text().startswith("not found")
        for d in window.findChildren(AboutDialog)
    )


def test_the_model_page_follows_the_registry_entry(qtbot, toy_model):  # noqa: F811
    panel = ConfigPanel([("cpu", "CPU")])
    qtbot.addWidget(panel)
    panel.model.setCurrentIndex(panel.model.findData("toy"))
    dialog = panel.show_model_page()  # what the picker's 'More…' button opens
    assert isinstance(dialog, ModelAboutDialog) and dialog.isVisible()
    text = dialog.text.toPlainText()
    assert TOY.title in text and TOY.description in text and TOY.objective in text
    assert "Papers" not in text  # the toy points at no page: its registry entry alone
    register_model(replace(TOY, about_page="wgan.md"))  # the entry, not the name, picks it
    panel.about.more.click()
    pages = [d.text.toPlainText() for d in panel.findChildren(ModelAboutDialog)]
    assert any("gradient penalty" in page and TOY.title in page for page in pages)


def test_every_built_in_model_has_a_page_with_its_papers():
    for spec in all_models():
        assert "### Papers" in model_page(spec), spec.name
        assert "### The plots" in model_page(spec), spec.name
