"""The Train tab's CycleGAN settings: the domains are chosen by readable names, and the run
gets the setting's own value."""

from __future__ import annotations

from fmgen_gui.widgets.config_panel import ConfigPanel


def test_the_domains_are_offered_in_words_and_read_as_their_values(qtbot):
    panel = ConfigPanel([("cpu", "CPU")])
    qtbot.addWidget(panel)
    panel.model.setCurrentIndex(panel.model.findData("cyclegan"))
    box = panel.editors["domains"].row
    shown = [box.itemText(i) for i in range(box.count())]
    assert shown[0] == "Sneaker <-> Ankle boot" and "Fashion-MNIST <-> Inverted" in shown
    assert panel.config().domains == "sneaker-ankle_boot"
    box.setCurrentIndex(shown.index("Fashion-MNIST <-> Inverted"))
    assert panel.config().domains == "inverted"
    panel.set_config(panel.config().replace(domains="pullover-coat"))
    assert box.currentText() == "Pullover <-> Coat"
