"""The command line and the Train tab's form accept and refuse the same values of every setting
with a declared range: both read the one declaration in trainer/config/settings.py."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QAbstractSpinBox, QLineEdit

from fmgen_gui.widgets.config_panel import ConfigPanel
from trainer.cli.train import build_parser, settings_from_args
from trainer.common.errors import ConfigError
from trainer.config.settings import MODEL_OPTIONS, SETTINGS, default_config, field_range, field_type
from trainer.registry import all_models

RANGED = [name for name in SETTINGS if field_range(name) is not None]
CLI_ONLY = {"log_every"}  # the form leaves it at its default
FLOAT_STEP = 0.01  # finer than any float setting needs, within every float box's decimals


def probes(name: str) -> list[tuple[float, bool]]:
    """(value, allowed) at the declared bounds, just inside and just outside them, read from
    the declaration itself so a changed range is probed where it now lies."""
    low, high, low_allowed = field_range(name)
    step = FLOAT_STEP if field_type(name) is float else 1
    return [
        (low - step, False),
        (low, low_allowed),
        (low + step, True),
        (high - step, True),
        (high, True),
        (high + step, False),
    ]


def model_using(name: str) -> str:
    """A model that uses setting `name` (a model option applies to some models only)."""
    return next(s.name for s in all_models() if name in s.options or name not in MODEL_OPTIONS)


def text(value: float) -> str:
    return str(round(value, 6)) if isinstance(value, float) else str(value)


def cli_accepts(name: str, value: float) -> bool:
    """fmgen-train's parser and config checks take `--name value` and train with it."""
    option = "--" + name.replace("_", "-")
    try:
        args = build_parser().parse_args(["--model", model_using(name), option, text(value)])
        config = default_config(args.model, **settings_from_args(args))
    except (SystemExit, ConfigError):
        return False
    return getattr(config, name) == pytest.approx(value)


def type_into(panel: ConfigPanel, name: str, value: float, qtbot) -> None:
    """Type `value` into the setting's field as a person would (refused keystrokes stay out)."""
    panel.model.setCurrentIndex(panel.model.findData(model_using(name)))
    if name == "limit":
        panel.use_limit.setChecked(True)
    editor = getattr(panel, name)
    line = editor if isinstance(editor, QLineEdit) else editor.lineEdit()
    line.selectAll()
    line.del_()
    qtbot.keyClicks(line, text(value))
    if isinstance(editor, QAbstractSpinBox):
        editor.interpretText()


def panel_accepts(panel: ConfigPanel, name: str, value: float, qtbot) -> bool:
    """The form ends up holding `value` for the setting, and its config check passes."""
    type_into(panel, name, value, qtbot)
    try:
        config = panel.config()
    except ConfigError:
        return False
    return getattr(config, name) == pytest.approx(value)


@pytest.mark.parametrize("name", RANGED)
def test_the_cli_and_the_panel_agree_at_and_around_every_bound(qtbot, name):
    panel = ConfigPanel([("cpu", "CPU")])
    qtbot.addWidget(panel)
    for value, allowed in probes(name):
        assert cli_accepts(name, value) == allowed, (name, value)
        if name in CLI_ONLY:
            assert not hasattr(panel, name)
            continue
        assert panel_accepts(panel, name, value, qtbot) == allowed, (name, value)


def test_every_ranged_setting_is_probed_and_the_panel_spans_its_whole_range():
    assert {"epochs", "batch_size", "seed", "lr", "limit", "log_every"} <= set(RANGED)
    panel = ConfigPanel([("cpu", "CPU")])
    for name in RANGED:
        editor = getattr(panel, name, None)
        if isinstance(editor, QAbstractSpinBox):
            low, high, _ = field_range(name)
            assert (editor.minimum(), editor.maximum()) == (low, high), name
    panel.deleteLater()
