"""The Evaluate tab: staged progress, cancel, stale results, pins, the export dialog."""

from __future__ import annotations

import re

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QDialogButtonBox

from fmgen_gui.report.export_dialog import ExportChoices, ExportDialog
from tests.conftest import pdf_text
from tests.fmgen_gui.report.test_report_layout import WIDE_TABLE
from tests.gui_helpers import make_window, mid_word_breaks
from tests.runs import tiny_run, tiny_sweep
from trainer.evaluation.evaluate import STAGES
from trainer.metrics.classifier import cache_path, save_classifier, train_classifier
from trainer.report.options import ReportOptions
from trainer.runs.metrics_json import SWEEP
from trainer.runs.pins import Pin, run_key

pytestmark = pytest.mark.timeout(600)


@pytest.fixture
def window(qtbot, tmp_path, tiny_data, tiny_data_dir):
    save_classifier(*train_classifier(tiny_data, epochs=1), cache_path(tiny_data.fingerprint()))
    window = make_window(qtbot, tmp_path, tiny_data_dir)
    for model in ("vae", "gan"):
        window.open_run(tiny_run(model, tiny_data_dir, tmp_path / model))
    yield window
    window.close()


def test_evaluate_pins_stale_results_cancel_and_export(window, qtbot, tmp_path):
    pane = window.report
    runs = [window.models.checkpoint_path(m).parent.name for m in ("vae", "gan")]
    assert pane.status.text() == f"2 runs loaded ({runs[0]} and {runs[1]}): press Evaluate."
    pane.export_dialog()  # nothing evaluated yet
    assert "Press Evaluate first" in pane.messages.text
    vae = run_key(window.models.checkpoint_path("vae").parent)
    window.pins.add(Pin(vae, "within", "test", 3, 13))
    window.tabs.setCurrentWidget(pane)  # showing the tab reads the pins again
    assert len(pane.pins_list.pins()) == 1
    pane.samples.setValue(100)
    pane.iwae_k.setValue(2)
    pane.evaluate_button.click()
    assert pane.cancel_button.isEnabled() and not pane.export_button.isEnabled()
    qtbot.waitUntil(lambda: pane.evaluation is not None, timeout=300_000)
    bars = pane.stages.bars
    assert all(bars[stage].value() == bars[stage].maximum() for stage in STAGES)
    assert "By FID (lower is better) " in pane.text.toPlainText()
    assert pane.export_button.isEnabled() and not pane.is_stale()
    assert pane.pictures.worst.figure is not None and pane.pictures.histogram_box.count() == 1
    # The trial: the runs' full paths wrapped the status into three lines, broken mid-path.
    assert pane.status.text().endswith(
        "; metrics.json written into each run's folder (hover for the paths)"
    )
    folders = [window.models.checkpoint_path(m).parent for m in ("vae", "gan")]
    assert "/" not in pane.status.text()
    assert pane.status.toolTip().splitlines()[1:] == [str(f / "metrics.json") for f in folders]

    window.pins.add(Pin(vae, "extra", "test", 1, 2))  # the shown strips are now out of date
    pane.refresh()
    assert pane.is_stale() and pane.stale.text() == "stale: press Evaluate"
    assert not pane.export_button.isEnabled() and not pane.text.isEnabled()
    pane.evaluate_button.click()
    assert pane.stale.text() == "stale: re-evaluating"
    pane.cancel_button.click()
    qtbot.waitUntil(lambda: not pane.runner.is_busy(), timeout=120_000)
    assert pane.status.text().startswith("Evaluation cancelled") and pane.is_stale()

    pane.pins_list.list.setCurrentRow(1)  # the extra pin: removing it restores what was shown
    pane.pins_list.remove_button.click()
    assert [p.role for p in window.pins.pins(vae)] == ["within"]
    assert not pane.is_stale() and pane.export_button.isEnabled()

    choices = ExportChoices(tmp_path / "report", "My page", ("Ada",), "Course", "A comment", ())
    pdf = pane.export(choices.folder, choices)
    assert len(re.findall(rb"/Type\s*/Page\b", pdf.read_bytes())) == 1
    text = pdf_text(pdf)
    assert "My page" in text and "by Ada" in text and "Dress #3 to Dress #13" in text


def test_evaluate_without_runs_says_so(qtbot, tmp_path, tiny_data_dir):
    window = make_window(qtbot, tmp_path, tiny_data_dir)
    assert window.report.status.text() == "Train or open runs, then press Evaluate."
    window.report.evaluate()
    assert "No run yet" in window.report.messages.text
    window.close()


def test_the_results_table_breaks_lines_between_words_only(qtbot, tmp_path, tiny_data_dir):
    window = make_window(qtbot, tmp_path, tiny_data_dir)
    window.tabs.setCurrentWidget(window.report)
    text = window.report.text
    text.setHtml(WIDE_TABLE)  # wider than the pane's text: it scrolls sideways instead
    qtbot.waitExposed(text)
    assert mid_word_breaks(text.document()) == []
    window.close()


def test_the_export_dialog_remembers_and_limits_the_page_to_four_runs(qtbot, tmp_path):
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    runs = {f"run-{i}": f"VAE ({i})" for i in range(5)}
    dialog = ExportDialog(runs, settings)
    qtbot.addWidget(dialog)
    save = dialog.buttons.button(QDialogButtonBox.StandardButton.Save)
    dialog.show()
    qtbot.waitExposed(dialog)
    whole_title = "VAE vs GAN on Fashion-MNIST: issue 10 trial, group 3"  # fits, unscrolled
    assert dialog.title.width() > dialog.title.fontMetrics().horizontalAdvance(whole_title)
    assert dialog.on_page() == ("run-0", "run-1", "run-2", "run-3") and save.isEnabled()
    dialog.runs.item(4).setCheckState(Qt.CheckState.Checked)
    assert not save.isEnabled() and "Choose 1 to 4 runs" in dialog.problem.text()
    dialog.runs.item(0).setCheckState(Qt.CheckState.Unchecked)
    dialog.title.setText("T")
    dialog.authors.setPlainText("Ada\nAlan\n")
    choices = dialog.choices()
    assert choices.authors == ("Ada", "Alan") and choices.on_page[-1] == "run-4"
    again = ExportDialog(runs, settings)
    qtbot.addWidget(again)
    assert again.title.text() == "T" and again.authors.toPlainText() == "Ada\nAlan"


def test_runs_chosen_in_the_runs_tab_are_evaluated_together(
    qtbot, tmp_path, tiny_data, tiny_data_dir
):
    save_classifier(*train_classifier(tiny_data, epochs=1), cache_path(tiny_data.fingerprint()))
    window = make_window(qtbot, tmp_path, tiny_data_dir)
    sweep = tiny_sweep("vae", tiny_data_dir, tmp_path / "runs" / "betas", {"beta": ["1", "4"]})
    window.open_run(tiny_run("gan", tiny_data_dir, tmp_path / "gan"))  # loaded, not chosen
    runs, pane = window.runs, window.report
    runs.refresh()
    runs.request_report()  # nothing selected
    assert "Select the runs" in runs.messages.text
    runs.table.selectAll()
    runs.request_report()
    assert window.tabs.currentWidget() is pane and pane.loaded_button.isVisible()
    assert sorted(pane.loaded_runs()) == sorted(run_key(folder) for folder in sweep)
    pane.samples.setValue(100)
    pane.iwae_k.setValue(2)
    pane.evaluate_button.click()
    qtbot.waitUntil(lambda: pane.evaluation is not None, timeout=300_000)
    assert set(pane.evaluation.runs) == {run_key(folder) for folder in sweep}
    assert pane.evaluation.metrics[SWEEP]["setting"] == "beta"  # the rate-distortion sweep
    pane.loaded_button.click()  # back to the runs loaded in the other tabs
    gan = run_key(window.models.checkpoint_path("gan").parent)
    assert list(pane.loaded_runs()) == [gan] and not pane.loaded_button.isVisible()
    # The sweep's results stay current (its runs are unchanged); the GAN is only missing.
    assert not pane.is_stale() and pane.export_button.isEnabled()
    assert pane.stale.text() == f"not evaluated yet: {gan} (Evaluate adds it)"
    pane.evaluate_button.click()  # adds the GAN: the sweep's results are kept, not greyed
    assert pane.stale.text() == f"adding {gan}…"
    assert not pane.is_stale() and pane.text.isEnabled() and not pane.export_button.isEnabled()
    pane.cancel_button.click()
    qtbot.waitUntil(lambda: not pane.runner.is_busy(), timeout=120_000)
    window.close()


def test_the_export_dialog_prefills_descriptions_and_remembers_only_edits(qtbot, tmp_path):
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    runs = {"vae-1": "VAE", "gan-1": "GAN"}
    made = {"vae-1": "What we did: a VAE, FID 221.8.", "gan-1": "What we did: a GAN, FID 268.7."}
    dialog = ExportDialog(runs, settings, descriptions=made)
    qtbot.addWidget(dialog)
    assert dialog.editors["gan-1"].toPlainText() == made["gan-1"]
    assert not dialog.appendix.isChecked()  # the appendix page is off by default
    dialog.editors["vae-1"].setPlainText("We trained a VAE for the exercise.")
    dialog.appendix.setChecked(True)
    choices = dialog.choices()
    assert dict(choices.descriptions) == {
        "vae-1": "We trained a VAE for the exercise.",
        "gan-1": made["gan-1"],
    }
    options = choices.apply_to(ReportOptions(runs=()))
    assert options.appendix and options.descriptions == choices.descriptions
    # the numbers changed since: the edited text stays, the unedited one is made again
    newer = {"vae-1": "What we did: a VAE, FID 200.0.", "gan-1": "What we did: a GAN, FID 250.0."}
    again = ExportDialog(runs, settings, descriptions=newer)
    qtbot.addWidget(again)
    assert again.editors["vae-1"].toPlainText() == "We trained a VAE for the exercise."
    assert again.editors["gan-1"].toPlainText() == newer["gan-1"]
    assert again.appendix.isChecked()
