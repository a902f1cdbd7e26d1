"""ConfigPanel: the form that makes a RunConfig; out-of-range values cannot be typed."""

from __future__ import annotations

import contextlib
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtGui import QDoubleValidator
from PySide6.QtWidgets import (
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

from fmgen_gui.file_dialogs import ask_folder
from trainer.config import RunConfig, default_config, field_choices, field_help, field_label
from trainer.errors import ConfigError
from trainer.registry import all_models, get_model, model_names


class ConfigPanel(QWidget):
    """Edits one config per model; `config()` returns the checked RunConfig of the shown one."""

    model_changed = Signal(str)

    def __init__(self, devices: list[tuple[str, str]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._configs: dict[str, RunConfig] = {m: default_config(m) for m in model_names()}
        self._model = "vae"
        self._build(devices)
        self._show(self._configs["vae"])

    def _build(self, devices: list[tuple[str, str]]) -> None:
        self.model = QComboBox()
        for spec in all_models():
            self.model.addItem(spec.title, spec.name)
        self.latent_dim = QSpinBox(minimum=1, maximum=512)
        self.latent_dim.setToolTip("Size of the latent code; 2 shows the codes directly as a map")
        self.beta = QDoubleSpinBox(minimum=0.0, maximum=1000.0, singleStep=0.1, decimals=2)
        self.beta.setToolTip("Weight of the KL term (1 = the ELBO)")
        self.epochs = QSpinBox(minimum=1, maximum=10000)
        self.batch_size = QSpinBox(minimum=1, maximum=4096, singleStep=32)
        self.lr = QLineEdit()
        validator = QDoubleValidator(1e-7, 1.0, 8, self.lr)
        validator.setNotation(QDoubleValidator.Notation.ScientificNotation)
        self.lr.setValidator(validator)
        self.lr.setToolTip("Learning rate, above 0 and at most 1 (e.g. 1e-3)")
        self.seed = QSpinBox(minimum=0, maximum=2**31 - 1)
        self.use_limit = QCheckBox("only")
        self.limit = QSpinBox(minimum=10, maximum=60000, singleStep=1000, suffix=" images/split")
        self.use_limit.toggled.connect(self.limit.setEnabled)
        self.binarize = QCheckBox("binarise pixels (for NLL tables)")
        self.device = QComboBox()
        for spec, description in devices:
            self.device.addItem(description, spec)
        self.precision = QComboBox()
        self.precision.addItems(field_choices("precision"))
        self.precision.setToolTip(field_help("precision"))
        # The column is narrow: a short placeholder, and the whole path in the tooltip.
        self.data_dir = QLineEdit(placeholderText="automatic")
        self.data_dir.textChanged.connect(self._explain_data_dir)
        self._explain_data_dir("")
        browse = QPushButton("…", maximumWidth=32)
        browse.setToolTip("Choose a folder with the four Fashion-MNIST files")
        browse.clicked.connect(self._browse_data_dir)
        self.model.currentIndexChanged.connect(self._switch_model)
        self._layout(browse)

    def _layout(self, browse: QPushButton) -> None:
        subset = QHBoxLayout()
        subset.addWidget(self.use_limit)
        subset.addWidget(self.limit, stretch=1)
        folder = QHBoxLayout()
        folder.addWidget(self.data_dir, stretch=1)
        folder.addWidget(browse)
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow("Model", self.model)
        form.addRow("Latent size", self.latent_dim)
        form.addRow("Beta (KL weight)", self.beta)
        form.addRow("Epochs", self.epochs)
        form.addRow("Batch size", self.batch_size)
        form.addRow("Learning rate", self.lr)
        form.addRow("Seed", self.seed)
        form.addRow("Data", subset)
        form.addRow("", self.binarize)
        form.addRow("Device", self.device)
        form.addRow(field_label("precision"), self.precision)
        form.addRow("Data folder", folder)

    @property
    def model_key(self) -> str:
        """The registry name of the model shown."""
        return self._model

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
        self.latent_dim.setValue(config.latent_dim)
        self.beta.setValue(config.beta)
        self.epochs.setValue(config.epochs)
        self.batch_size.setValue(config.batch_size)
        self.lr.setText(f"{config.lr:g}")
        self.seed.setValue(config.seed)
        self.use_limit.setChecked(config.limit is not None)
        self.limit.setEnabled(config.limit is not None)
        self.limit.setValue(config.limit or 6000)
        self.binarize.setChecked(config.binarize)
        index = self.device.findData(config.device)
        self.device.setCurrentIndex(max(index, 0))
        self.precision.setCurrentText(config.precision)
        options = get_model(config.model).options
        self.beta.setEnabled("beta" in options)
        self.binarize.setEnabled("binarize" in options)

    def config(self) -> RunConfig:
        """The config on screen, checked; raises ConfigError with the problems."""
        try:
            lr = float(self.lr.text())
        except ValueError as exc:
            problem = f"{field_label('lr')}: {self.lr.text()!r} is not a number"
            raise ConfigError(f"Invalid settings:\n  {problem}") from exc
        return self._configs[self._model].replace(
            latent_dim=self.latent_dim.value(),
            beta=self.beta.value(),
            epochs=self.epochs.value(),
            batch_size=self.batch_size.value(),
            lr=lr,
            seed=self.seed.value(),
            limit=self.limit.value() if self.use_limit.isChecked() else None,
            binarize=self.binarize.isChecked() and "binarize" in get_model(self._model).options,
            device=self.device.currentData() or "auto",
            precision=self.precision.currentText(),
        )

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
            if config.model == model:
                self._configs[model] = config
        self.data_dir.setText(state.get("data_dir", ""))
        self._show(self._configs.get(state.get("model"), self._configs["vae"]))
        self.model_changed.emit(self._model)

    def _explain_data_dir(self, text: str) -> None:
        self.data_dir.setToolTip(text or "Automatic: the download cache, then the Debian package")

    def _browse_data_dir(self) -> None:
        folder = ask_folder(self, "Folder with Fashion-MNIST", "data")
        if folder is not None:
            self.data_dir.setText(str(folder))
