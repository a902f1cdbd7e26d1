"""The Evaluate tab: evaluate the loaded models in the background, show them, export the report."""

from __future__ import annotations

import re

import pytest

from tests.gui_helpers import make_window
from tests.runs import tiny_run

pytestmark = pytest.mark.timeout(300)


@pytest.fixture
def window(qtbot, tmp_path, tiny_data_dir):
    window = make_window(qtbot, tmp_path, tiny_data_dir)
    for model in ("vae", "gan"):
        window.open_run(tiny_run(model, tiny_data_dir, tmp_path / model, epochs=2))
    yield window
    window.close()


def test_evaluate_then_export_the_report(window, qtbot, tmp_path):
    pane = window.report
    pane.export_dialog()  # nothing evaluated yet
    assert "Press Evaluate first" in pane.messages.text
    pane.samples.setValue(200)
    pane.iwae_k.setValue(2)
    window.tabs.setCurrentWidget(pane)
    pane.evaluate_button.click()
    qtbot.waitUntil(lambda: pane.evaluation is not None, timeout=240000)
    text = pane.text.toPlainText()
    for part in (
        "What was done and how",
        "VAE on the test set",
        "uniform noise (ceiling)",
        "Result.",
    ):
        assert part in text
    assert pane.worst.image is not None and pane.histogram_box.count() == 1
    assert "metrics.json written" in pane.status.text()
    assert pane.used.text() == "VAE, epoch 2; GAN, epoch 2"
    pdf = pane.export(tmp_path / "report")
    assert len(re.findall(rb"/Type\s*/Page\b", pdf.read_bytes())) == 1
    assert "Report written" in pane.messages.text


def test_evaluate_without_models_says_so(qtbot, tmp_path, tiny_data_dir):
    window = make_window(qtbot, tmp_path, tiny_data_dir)
    window.report.evaluate()
    assert "No model yet" in window.report.messages.text
    window.close()
