"""The Evaluate tab with a CycleGAN run beside a VAE (pytest-qt, offscreen, tiny runs): it
evaluates both and shows the translator's numbers; its class histogram leaves it out."""

from __future__ import annotations

import pytest

from tests.gui_helpers import make_window
from tests.runs import tiny_run
from trainer.metrics.classifier import cache_path, save_classifier, train_classifier

pytestmark = pytest.mark.timeout(600)


def test_a_cyclegan_run_is_evaluated_beside_a_vae(qtbot, tmp_path, tiny_data, tiny_data_dir):
    save_classifier(*train_classifier(tiny_data, epochs=1), cache_path(tiny_data.fingerprint()))
    window = make_window(qtbot, tmp_path, tiny_data_dir)
    for model, extra in (("vae", ()), ("cyclegan", ("--domains", "inverted"))):
        window.open_run(tiny_run(model, tiny_data_dir, tmp_path / model, *extra))
    pane = window.report
    window.tabs.setCurrentWidget(pane)
    pane.samples.setValue(100)
    pane.iwae_k.setValue(2)
    pane.evaluate_button.click()
    qtbot.waitUntil(lambda: pane.evaluation is not None, timeout=300_000)
    assert "once F translates them back" in pane.text.toPlainText()
    assert pane.messages.isHidden()
    assert pane.pictures.histogram_box.count() == 1  # the VAE's samples' classes only
    window.close()
