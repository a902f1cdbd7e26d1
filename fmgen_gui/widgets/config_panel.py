"""ConfigPanel: the form that makes a RunConfig; out-of-range values cannot be typed.

Everything model-specific comes from the registry: the model list, the description, and which
of the model options (latent size, beta, binarize, Adam betas, critic steps, gradient penalty,
decoder) apply.
Its rows are generated from the RunConfig fields, in their order (widgets/setting_editors.py):
labels, tooltips, choices and ranges are the declarations' own, so the form accepts exactly
what the command line accepts.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QWidget,
)

from fmgen_gui.about import ModelAboutDialog
from fmgen_gui.file_dialogs import ask_folder
from fmgen_gui.widgets.about_box import AboutBox
from fmgen_gui.widgets.field_marks import clear_invalid, mark_invalid
from fmgen_gui.widgets.setting_editors import make_editor
from trainer.common.errors import ConfigError, DataError
from trainer.config.settings import (
    MODEL_OPTIONS,
    SETTINGS,
    RunConfig,
    default_config,
    field_help,
    field_label,
)
from trainer.data.fashion_mnist import check_data_folder
from trainer.registry import all_models, get_model, model_names

DATA_FOLDER = "Data folder"  # the field's label, which messages about it name
# Settings the form has no editor for: the model is the header's choice, and log_every keeps its
# default (how often progress is recorded is for the command line's console).
NOT_IN_FORM = ("model", "log_every")


class ConfigPanel(QWidget):
    """Edits one config per model; `config()` returns the checked RunConfig of the shown one."""

    model_changed = Signal(str)

    def __init__(self, devices: list[tuple[str, str]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._configs: dict[str, RunConfig] = {m: default_config(m) for m in model_names()}
        self._model = model_names()[0]
        self._build(devices)
        self._show(self._configs[self._model])

    def _build(self, devices: list[tuple[str, str]]) -> None:
        self.model = QComboBox()
        for spec in all_models():
            self.model.addItem(spec.title, spec.name)
            tip = Qt.ItemDataRole.ToolTipRole
            self.model.setItemData(self.model.count() - 1, spec.description, tip)
        self.model.setToolTip(field_help("model"))
        self.about = AboutBox()
        self.about.more.clicked.connect(self.show_model_page)
        self.editors = {
            name: make_editor(name, devices) for name in SETTINGS if name not in NOT_IN_FORM
        }
        for editor in self.editors.values():  # panel.epochs, panel.adam_beta1, panel.use_limit...
            for part, widget in editor.parts.items():
                setattr(self, part, widget)
        # The column is narrow: a short placeholder, and the whole path in the tooltip.
        self.data_dir = QLineEdit(placeholderText="automatic")
        self.data_dir.textChanged.connect(lambda _: clear_invalid(self.data_dir))  # edit: unmark
        self.data_dir.textChanged.connect(self._explain_data_dir)  # after: its tooltip wins
        self._explain_data_dir("")
        browse = QPushButton("…", maximumWidth=32)
        browse.setToolTip("Choose a folder with the four Fashion-MNIST files")
        browse.clicked.connect(self._browse_data_dir)
        self.model.currentIndexChanged.connect(self._switch_model)
        self._layout(browse)

    def _layout(self, browse: QPushButton) -> None:
        folder = QHBoxLayout()
        folder.addWidget(self.data_dir, stretch=1)
        folder.addWidget(browse)
        self.option_rows = {  # model options: enabled when the shown model's spec lists them
            name: editor.row for name, editor in self.editors.items() if name in MODEL_OPTIONS
        }
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow(field_label("model"), self.model)
        form.addRow(self.about)
        for name, editor in self.editors.items():
            form.addRow(field_label(name), editor.row)
            editor.row.setToolTip(field_help(name))
        form.addRow(DATA_FOLDER, folder)
        self.form = form

    @property
    def model_key(self) -> str:
        """The registry name of the model shown."""
        return self._model

    def show_model_page(self) -> ModelAboutDialog:
        """Open the shown model's 'About this model' page (from the registry and resources/)."""
        dialog = ModelAboutDialog(get_model(self._model), self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def _switch_model(self) -> None:
        self._keep_current()
        self._model = self.model.currentData()
        self._show(self._configs[self._model])
        self.model_changed.emit(self._model)

    def _keep_current(self) -> None:
        with contextlib.suppress(ConfigError):  # an unfinished edit is dropped, not stored
            self._configs[self._model] = self.config()

    def _show(self, config: RunConfig) -> None:
        self.model.blockSignals(True)
        self.model.setCurrentIndex(self.model.findData(config.model))
        self.model.blockSignals(False)
        self._model = config.model
        spec = get_model(config.model)
        self.about.set_text(spec.description)
        for name, editor in self.editors.items():
            editor.show(getattr(config, name))
        for name, row in self.option_rows.items():
            self._enable_option(name, row, name in spec.options, spec.label)

    def _enable_option(self, name: str, row: QWidget, applies: bool, model: str) -> None:
        row.setEnabled(applies)
        label = self.form.labelForField(row)
        if label is not None:
            label.setEnabled(applies)
        why = "" if applies else f" (does not apply to the {model})"
        row.setToolTip(field_help(name) + why)

    def config(self) -> RunConfig:
        """The config on screen, checked; raises ConfigError with the problems.

        Options the model does not use keep the stored config's values (its defaults).
        """
        applies = set(get_model(self._model).options)
        return self._configs[self._model].replace(
            **{
                name: editor.read()
                for name, editor in self.editors.items()
                if name not in MODEL_OPTIONS or name in applies
            }
        )

    def data_folder(self) -> str | None:
        """The data folder typed (None: automatic), checked; raises DataError naming the field
        and marks it, before any work starts."""
        text = self.data_dir.text().strip()
        if not text:
            return None
        try:
            check_data_folder(Path(text).expanduser(), DATA_FOLDER)
        except DataError as exc:
            mark_invalid(self.data_dir, str(exc))
            raise DataError(
                f"{exc}\nChoose a folder with the four Fashion-MNIST files, or empty the field "
                "to use the automatic place."
            ) from exc
        return text

    def set_config(self, config: RunConfig) -> None:
        """Show `config` (and make its model the current one)."""
        self._keep_current()
        self._configs[config.model] = config
        changed = config.model != self._model
        self._show(config)
        if changed:
            self.model_changed.emit(config.model)

    def state(self) -> dict[str, Any]:
        """Every model's config and the data folder, as plain values for QSettings."""
        self._keep_current()
        return {
            "model": self._model,
            "configs": {m: c.to_dict() for m, c in self._configs.items()},
            "data_dir": self.data_dir.text(),
        }

    def restore(self, state: dict[str, Any]) -> None:
        """Show a `state()` saved earlier; anything unreadable keeps the defaults."""
        for model, values in state.get("configs", {}).items():
            try:
                config = RunConfig.from_dict(values)
            except (ConfigError, TypeError):
                continue
            if config.model == model and model in self._configs:
                self._configs[model] = config
        self.data_dir.setText(state.get("data_dir", ""))
        first = self._configs[model_names()[0]]
        self._show(self._configs.get(state.get("model"), first))
        self.model_changed.emit(self._model)

    def _explain_data_dir(self, text: str) -> None:
        self.data_dir.setToolTip(text or "Automatic: the download cache, then the Debian package")

    def _browse_data_dir(self) -> None:
        folder = ask_folder(self, "Folder with Fashion-MNIST", "data")
        if folder is not None:
            self.data_dir.setText(str(folder))
