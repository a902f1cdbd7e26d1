"""The app's Precision setting: chosen in the config panel, shown in the status bar."""

from __future__ import annotations

import pytest

from tests.gui_helpers import EventLog, make_window
from trainer.common.events import RunFinished, RunStarted
from trainer.config.settings import PRECISIONS

pytestmark = pytest.mark.timeout(120)


def test_the_panel_chooses_the_precision_and_the_status_bar_shows_it(
    qtbot, tmp_path, tiny_data_dir
):
    window = make_window(qtbot, tmp_path, tiny_data_dir)
    panel = window.training.config_panel
    assert [panel.precision.itemText(i) for i in range(panel.precision.count())] == list(PRECISIONS)
    assert panel.config().precision == "auto"
    panel.set_config(panel.config().replace(precision="bf16"))
    assert panel.precision.currentText() == "bf16"
    panel.precision.setCurrentText("fp32")
    statuses, speeds = [], []
    window.training.status.connect(statuses.append)
    window.training.speed.connect(speeds.append)
    log = EventLog(window)
    window.training.start_button.click()
    qtbot.waitUntil(lambda: log.has(RunFinished), timeout=60000)
    (started,) = log.of(RunStarted)
    assert started.config["precision"] == "fp32" and started.precision == "fp32"
    assert any(text.endswith(" in fp32") for text in statuses)  # plain words; why: a tooltip
    assert window.speed_label.toolTip() == "Precision fp32: fp32 was asked for"
    assert any(text.endswith("images/s, fp32") for text in speeds)
    window.close()
