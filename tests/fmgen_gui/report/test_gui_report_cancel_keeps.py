"""The Evaluate tab after a cancel (issue 22, defect 4): the Cancel button says beforehand what
it keeps and drops, finished stages stay full, unfinished ones say "cancelled", Export waits
for a complete evaluation, and the next Evaluate reuses what was finished and says so."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import QEvent, QPoint
from PySide6.QtGui import QHelpEvent
from PySide6.QtWidgets import QApplication

from tests.gui_helpers import make_window
from tests.runs import tiny_run
from trainer.evaluation import evaluate as evaluate_module
from trainer.evaluation.evaluate import CALIBRATION, DIALS, LIKELIHOOD, SAMPLES
from trainer.metrics.classifier import cache_path, save_classifier, train_classifier

pytestmark = pytest.mark.timeout(600)
KEPT = "the test likelihood of VAE and the samples of VAE and GAN"


@pytest.fixture
def held_calibration(monkeypatch) -> threading.Event:
    """The first evaluation's calibration (the real one) starts only once Cancel is pressed,
    as the trial's long calibration was under way then; the event says it was reached."""
    reached, real = threading.Event(), evaluate_module.calibrate

    def calibrate(*args):
        cancel = args[-1]
        if not reached.is_set():
            reached.set()
            cancel.wait(120)
        return real(*args)

    monkeypatch.setattr(evaluate_module, "calibrate", calibrate)
    return reached


def tooltip(button) -> str:
    """The button's tooltip as it shows on hover."""
    event = QHelpEvent(QEvent.Type.ToolTip, QPoint(2, 2), button.mapToGlobal(QPoint(2, 2)))
    QApplication.sendEvent(button, event)
    return button.toolTip()


def test_a_cancel_keeps_the_finished_stages_and_the_next_evaluate_reuses_them(
    qtbot, tmp_path, tiny_data, tiny_data_dir, held_calibration
):
    save_classifier(*train_classifier(tiny_data, epochs=1), cache_path(tiny_data.fingerprint()))
    window = make_window(qtbot, tmp_path, tiny_data_dir)
    window.open_run(tiny_run("vae", tiny_data_dir, tmp_path / "vae"))
    window.open_run(tiny_run("gan", tiny_data_dir, tmp_path / "gan"))
    pane = window.report
    pane.samples.setValue(100)
    pane.iwae_k.setValue(2)
    pane.evaluate_button.click()
    assert "Nothing is finished yet" in tooltip(pane.cancel_button)
    assert held_calibration.wait(300)
    tip = tooltip(pane.cancel_button)
    assert f"It keeps every finished stage ({KEPT})" in tip
    assert "It drops the stage under way and those not begun (the calibration rows)" in tip

    pane.cancel_button.click()
    qtbot.waitUntil(lambda: not pane.runner.is_busy(), timeout=60_000)
    assert pane.status.text() == (
        f"Evaluation cancelled. Kept {KEPT}: the next Evaluate with the same runs, Samples and "
        "IWAE k reuses them. Not done: the calibration rows."
    )
    for stage in (LIKELIHOOD, SAMPLES):  # full, with their time
        assert pane.stages.bars[stage].value() == pane.stages.bars[stage].maximum()
        assert pane.stages.details[stage].text().startswith("done"), stage
    assert pane.stages.details[CALIBRATION].text() == "cancelled"
    assert pane.stages.bars[CALIBRATION].value() == 0
    assert pane.stages.details[DIALS].text() == "nothing to do for these runs"
    assert not pane.stages.isHidden() and not pane.export_button.isEnabled()

    pane.evaluate_button.click()
    assert pane.status.text() == f"Reusing {KEPT}, finished before the last evaluation stopped."
    qtbot.waitUntil(lambda: pane.evaluation is not None, timeout=300_000)
    assert (
        f", reusing {KEPT}, finished before the last evaluation stopped; metrics.json"
        in pane.status.text()
    )
    assert (
        pane.stages.details[SAMPLES].text()
        == "done; VAE and GAN reused, finished before the last evaluation stopped"
    )
    assert pane.stages.details[CALIBRATION].text().startswith("done")
    assert pane.export_button.isEnabled()
    window.close()
