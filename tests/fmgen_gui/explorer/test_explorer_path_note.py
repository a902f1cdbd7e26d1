"""Explore's path plot says why its class curves are missing where the eye is (trial defect 6)."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPoint, QRect

from fmgen_gui.widgets.scroll import VerticalScroll
from tests.gui_helpers import make_window
from tests.runs import tiny_run


def test_the_classifier_note_is_in_sight_at_1280x800(qtbot, tmp_path, tiny_data_dir):
    """The trial: at 1280x800 the note sat below the scrolled middle column's visible part."""
    window = make_window(qtbot, tmp_path, tiny_data_dir)
    window.resize(1280, 800)
    window.open_run(tiny_run("vae", tiny_data_dir, tmp_path / "vae"))
    window.tabs.setCurrentWidget(window.explorer)
    qtbot.waitUntil(lambda: window.explorer.candidates is not None, timeout=60_000)
    plot = window.explorer.path_plot
    ts = np.linspace(0, 1, 5)
    plot.set_path(ts, None, ts)  # a strip whose class curves wait for the classifier
    window.classifier.progress.emit(0.09, "Training the classifier the scores use: epoch 1 of 6")
    qtbot.wait(200)  # the layouts settle
    scroll = plot.parentWidget()
    while not isinstance(scroll, VerticalScroll):
        scroll = scroll.parentWidget()
    viewport = scroll.viewport()
    assert scroll.verticalScrollBar().value() == 0  # as the window opens the tab
    assert viewport.height() < plot.mapTo(viewport, QPoint(0, plot.height())).y()  # it scrolls
    note = QRect(plot.note.mapTo(viewport, QPoint(0, 0)), plot.note.size())
    assert plot.note.text().startswith("The classifier is not ready yet. Training")
    assert note.height() >= plot.note.fontMetrics().height()
    assert viewport.rect().contains(note)
    window.close()
