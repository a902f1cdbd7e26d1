"""ConfigPanel: the form that makes a RunConfig; out-of-range values cannot be typed.

Everything model-specific comes from the registry: the model list, the description, and which
of the model options (latent size, beta, binarize, Adam betas, critic steps, gradient penalty,
decoder) apply.
Labels, tooltips and ranges are the config fields' own (`field_label`, `field_help`,
`field_range` in trainer/config.py), so the form accepts exactly what the command line accepts.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QDoubleValidator
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QWidget,
)

from fmgen_gui.about import ModelAboutDialog
from fmgen_gui.file_dialogs import ask_folder
from fmgen_gui.widgets.about_box import AboutBox
from fmgen_gui.widgets.field_marks import clear_invalid, mark_invalid
from fmgen_gui.widgets.wide_spin import WideSpinBox
from trainer.config import (
    MODEL_OPTIONS,
    RunConfig,
    default_config,
    field_choices,
    field_help,
    field_label,
    field_range,
    field_type,
)
from trainer.data import check_data_folder
from trainer.errors import ConfigError, DataError
from trainer.registry import all_models, get_model, model_names

DATA_FOLDER = "Data folder"  # the field's label, which messages about it name
QSPINBOX_MAX = 2**31 - 1  # QSpinBox holds a C int; wider ranges take a WideSpinBox


def _double(low: float, high: float, step: float, decimals: int) -> QDoubleSpinBox:
    return QDoubleSpinBox(minimum=low, maximum=high, singleStep=step, decimals=decimals)


def _number_box(name: str, step: float = 1, decimals: int = 0) -> QAbstractSpinBox:
    """A spin box over setting `name`'s declared range (a float one shows `decimals`)."""
    low, high, _ = field_range(name)
    if field_type(name) is float:
        return _double(low, high, step, decimals)
    if high > QSPINBOX_MAX:
        return WideSpinBox(low, high)
    return QSpinBox(minimum=low, maximum=high, singleStep=step)


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
        self.latent_dim = _number_box("latent_dim")
        self.beta = _number_box("beta", 0.1, 3)
        self.epochs = _number_box("epochs")
        self.batch_size = _number_box("batch_size", 32)
        self.lr = QLineEdit()
        lr_range = field_range("lr")  # the config check refuses the low end itself
        validator = QDoubleValidator(lr_range.low, lr_range.high, 8, self.lr)
        validator.setNotation(QDoubleValidator.Notation.ScientificNotation)
        self.lr.setValidator(validator)
        # Two boxes for Adam's (beta1, beta2), named apart from the VAE's KL weight beta.
        self.adam_beta1 = _double(0.0, 0.9999, 0.05, 4)
        self.adam_beta2 = _double(0.0, 0.9999, 0.001, 4)
        self.adam_beta1.setPrefix("beta1 ")
        self.adam_beta2.setPrefix("beta2 ")
        self.n_critic = _number_box("n_critic")
        self.gp_weight = _number_box("gp_weight", 1.0, 2)
        self.seed = _number_box("seed")
        self.use_limit = QCheckBox("only")
        self.limit = _number_box("limit", 1000)
        self.limit.setSuffix(" images/split")
        self.use_limit.toggled.connect(self.limit.setEnabled)
        self.binarize = QCheckBox("pixels (for NLL tables)")
        self.decoder = QComboBox()
        self.decoder.addItems(field_choices("decoder"))
        self.device = QComboBox()
        for spec, description in devices:
            self.device.addItem(description, spec)
        self.precision = QComboBox()
        self.precision.addItems(field_choices("precision"))
        self.precision.setToolTip(field_help("precision"))
        # The column is narrow: a short placeholder, and the whole path in the tooltip.
        self.data_dir = QLineEdit(placeholderText="automatic")
        for field in (self.lr, self.data_dir):  # an edit clears the mark of an invalid value
            field.textChanged.connect(lambda _, f=field: clear_invalid(f))
        self.data_dir.textChanged.connect(self._explain_data_dir)  # after: its tooltip wins
        self._explain_data_dir("")
        browse = QPushButton("…", maximumWidth=32)
        browse.setToolTip("Choose a folder with the four Fashion-MNIST files")
        browse.clicked.connect(self._browse_data_dir)
        self.model.currentIndexChanged.connect(self._switch_model)
        self._layout(browse)

    def _row(self, *widgets: QWidget) -> QWidget:
        row = QWidget()
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        for widget in widgets:
            layout.addWidget(widget, stretch=1)
        return row

    def _layout(self, browse: QPushButton) -> None:
        folder = QHBoxLayout()
        folder.addWidget(self.data_dir, stretch=1)
        folder.addWidget(browse)
        self.option_rows = {  # model options: enabled when the shown model's spec lists them
            "latent_dim": self.latent_dim,
            "adam_betas": self._row(self.adam_beta1, self.adam_beta2),
            "beta": self.beta,
            "n_critic": self.n_critic,
            "gp_weight": self.gp_weight,
            "binarize": self.binarize,
            "decoder": self.decoder,
        }
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow(field_label("model"), self.model)
        form.addRow(self.about)
        for name, editor in (
            ("epochs", self.epochs),
            ("batch_size", self.batch_size),
            ("lr", self.lr),
            *self.option_rows.items(),
            ("seed", self.seed),
            ("limit", self._row(self.use_limit, self.limit)),
            ("device", self.device),
            ("precision", self.precision),
        ):
            form.addRow(field_label(name), editor)
            editor.setToolTip(field_help(name))
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
        self.latent_dim.setValue(config.latent_dim)
        self.epochs.setValue(config.epochs)
        self.batch_size.setValue(config.batch_size)
        self.lr.setText(f"{config.lr:g}")
        self.beta.setValue(config.beta)
        self.adam_beta1.setValue(config.adam_betas[0])
        self.adam_beta2.setValue(config.adam_betas[1])
        self.n_critic.setValue(config.n_critic)
        self.gp_weight.setValue(config.gp_weight)
        self.binarize.setChecked(config.binarize)
        self.decoder.setCurrentText(config.decoder)
        self.seed.setValue(config.seed)
        self.use_limit.setChecked(config.limit is not None)
        self.limit.setEnabled(config.limit is not None)
        self.limit.setValue(config.limit or 6000)
        index = self.device.findData(config.device)
        self.device.setCurrentIndex(max(index, 0))
        self.precision.setCurrentText(config.precision)
        for name, row in self.option_rows.items():
            self._enable_option(name, row, name in spec.options, spec.label)

    def _enable_option(self, name: str, row: QWidget, applies: bool, model: str) -> None:
        row.setEnabled(applies)
        label = self.form.labelForField(row)
        if label is not None:
            label.setEnabled(applies)
        why = "" if applies else f" (does not apply to the {model})"
        row.setToolTip(field_help(name) + why)

    def _option_values(self) -> dict[str, Any]:
        return {
            "latent_dim": self.latent_dim.value(),
            "beta": self.beta.value(),
            "adam_betas": (self.adam_beta1.value(), self.adam_beta2.value()),
            "n_critic": self.n_critic.value(),
            "gp_weight": self.gp_weight.value(),
            "binarize": self.binarize.isChecked(),
            "decoder": self.decoder.currentText(),
        }

    def config(self) -> RunConfig:
        """The config on screen, checked; raises ConfigError with the problems.

        Options the model does not use keep the stored config's values (its defaults).
        """
        try:
            lr = float(self.lr.text())
        except ValueError as exc:
            problem = f"{field_label('lr')}: {self.lr.text()!r} is not a number"
            mark_invalid(self.lr, problem)
            raise ConfigError(f"Invalid settings:\n  {problem}") from exc
        applies = set(get_model(self._model).options) & set(MODEL_OPTIONS)
        options = {k: v for k, v in self._option_values().items() if k in applies}
        return self._configs[self._model].replace(
            epochs=self.epochs.value(),
            batch_size=self.batch_size.value(),
            lr=lr,
            seed=self.seed.value(),
            limit=self.limit.value() if self.use_limit.isChecked() else None,
            device=self.device.currentData() or "auto",
            precision=self.precision.currentText(),
            **options,
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
