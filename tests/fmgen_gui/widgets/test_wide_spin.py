"""WideSpinBox behaves as a QSpinBox over whole numbers too wide for one (the 63-bit seed)."""

from __future__ import annotations

from PySide6.QtCore import Qt

from fmgen_gui.widgets.wide_spin import WideSpinBox

TOP = 2**63 - 1


def test_it_holds_the_top_of_a_63_bit_range_and_steps_to_it(qtbot):
    box = WideSpinBox(0, TOP)
    qtbot.addWidget(box)
    box.setValue(TOP - 1)
    box.stepBy(1)
    assert box.value() == TOP
    box.stepBy(1)  # clamped, as QSpinBox is
    assert box.value() == TOP
    assert not box.stepEnabled() & box.StepEnabledFlag.StepUpEnabled


def test_keystrokes_beyond_the_range_are_refused_and_an_unfinished_edit_is_dropped(qtbot):
    box = WideSpinBox(10, 1000)
    qtbot.addWidget(box)
    box.lineEdit().selectAll()
    qtbot.keyClicks(box.lineEdit(), "10009")  # the last 9 would pass 1000
    assert box.lineEdit().text() == "1000" and box.value() == 1000
    box.lineEdit().selectAll()
    qtbot.keyClicks(box.lineEdit(), "5")  # below 10: may still grow into a number in range
    assert box.value() == 1000
    qtbot.keyClick(box.lineEdit(), Qt.Key.Key_Return)
    assert box.lineEdit().text() == "1000"  # Enter on an unfinished edit shows the value again
