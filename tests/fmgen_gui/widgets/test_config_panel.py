"""The Train tab's settings form is made from the registry and the config fields' metadata."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QFormLayout

from fmgen_gui.widgets.config_panel import DATA_FOLDER, NOT_IN_FORM, ConfigPanel
from tests.toy_model import TOY, toy_model  # noqa: F401  (a fixture)
from trainer.config.settings import SETTINGS, default_config, field_help, field_label
from trainer.registry import get_model

DEVICES = [("cpu", "CPU"), ("auto", "automatic")]


@pytest.fixture
def make_panel(qtbot):
    def make() -> ConfigPanel:
        panel = ConfigPanel(DEVICES)
        qtbot.addWidget(panel)
        return panel

    return make


def test_a_registered_toy_appears_with_its_description_and_round_trips(make_panel, toy_model):  # noqa: F811
    panel = make_panel()
    index = panel.model.findData("toy")
    assert index >= 0 and panel.model.itemText(index) == TOY.title
    panel.model.setCurrentIndex(index)
    assert panel.model_key == "toy" and panel.about.text.text() == TOY.description
    assert panel.config() == default_config("toy")
    edited = default_config("toy", epochs=7, lr=0.05, seed=11, latent_dim=3, limit=40)
    panel.set_config(edited)
    assert panel.config() == edited
    for name, row in panel.option_rows.items():  # the toy lists only the latent size
        assert row.isEnabled() == (name == "latent_dim")


def test_options_follow_the_spec_and_adam_betas_are_two_named_boxes(make_panel):
    panel = make_panel()
    panel.model.setCurrentIndex(panel.model.findData("gan"))
    enabled = {name for name, row in panel.option_rows.items() if row.isEnabled()}
    assert enabled == set(get_model("gan").options)
    assert (panel.adam_beta1.value(), panel.adam_beta2.value()) == (0.5, 0.999)
    panel.adam_beta1.setValue(0.3)
    assert panel.config().adam_betas == (0.3, 0.999)
    assert panel.config().beta == 1.0  # beta does not apply to the GAN: left at its default
    label = panel.form.labelForField(panel.option_rows["adam_betas"]).text()
    assert label == field_label("adam_betas") and "KL" not in label
    assert panel.adam_beta1.prefix() == "beta1 " and panel.adam_beta2.prefix() == "beta2 "
    assert panel.form.labelForField(panel.beta).text() == "KL weight beta"
    assert not panel.form.labelForField(panel.beta).isEnabled()
    assert "does not apply to the GAN" in panel.beta.toolTip()
    panel.model.setCurrentIndex(panel.model.findData("vae"))
    assert panel.beta.isEnabled() and panel.binarize.isEnabled()
    assert panel.about.text.text() == get_model("vae").description
    panel.decoder.setCurrentText("logistic")
    assert panel.config().decoder == "logistic"


def test_labels_and_tooltips_come_from_the_config_fields(make_panel):
    panel = make_panel()
    for name, editor in (("latent_dim", panel.latent_dim), ("n_critic", panel.n_critic)):
        assert panel.form.labelForField(editor).text() == field_label(name)
        assert editor.toolTip().startswith(field_help(name))
    assert panel.about.text.isHidden()  # folded at first: the settings column is short
    panel.about.toggle.setChecked(True)
    assert not panel.about.text.isHidden()


def test_state_round_trips_every_model(make_panel):
    first = make_panel()
    first.model.setCurrentIndex(first.model.findData("gan"))
    first.gp_weight.setValue(3.0)  # disabled for the GAN: ignored
    first.adam_beta2.setValue(0.99)
    second = make_panel()
    second.restore(first.state())
    assert second.model_key == "gan" and second.config() == first.config()
    assert second.config().adam_betas == (0.5, 0.99) and second.config().gp_weight == 10.0


def test_every_setting_has_a_row_in_declaration_order(make_panel):
    """A new RunConfig field shows up in the form by itself (or is listed as not in it)."""
    panel = make_panel()
    labels = [
        panel.form.itemAt(row, QFormLayout.ItemRole.LabelRole).widget().text()
        for row in range(panel.form.rowCount())
        if panel.form.itemAt(row, QFormLayout.ItemRole.LabelRole) is not None
    ]
    wanted = [field_label(name) for name in SETTINGS if name not in NOT_IN_FORM]
    assert labels == [field_label("model"), *wanted, DATA_FOLDER]
