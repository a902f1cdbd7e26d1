"""What the explorer's GUI tests share: tiny runs of the VAE and three toys, a main window,
and a model shown in the explorer."""

from __future__ import annotations

import pytest

from tests.gui_helpers import make_window
from tests.runs import tiny_run
from tests.toy_model import COND_ENCODER_TOY, COND_TOY, TOY
from trainer.registry import register_model, unregister_model

TOYS = (TOY, COND_TOY, COND_ENCODER_TOY)


def trained_runs(tiny_data_dir, out, models: tuple[str, ...]):
    """Yield tiny run folders of `models` (the toys registered meanwhile), by model."""
    for spec in TOYS:
        register_model(spec)
    yield {model: tiny_run(model, tiny_data_dir, out / model) for model in models}
    for spec in TOYS:
        unregister_model(spec.name)


@pytest.fixture(name="window")
def main_window(qtbot, tmp_path, tiny_data_dir, runs, monkeypatch):
    """A main window (the test module's `runs` trained first), its pins in a fresh folder."""
    monkeypatch.setenv("FMGEN_DATA_HOME", str(tmp_path / "user-data"))  # pins go here
    window = make_window(qtbot, tmp_path, tiny_data_dir)
    yield window
    window.close()


def explore(window, qtbot, runs, model: str):
    """Open `model`'s run and show it in the explorer, loaded."""
    window.open_run(runs[model])
    explorer = window.explorer
    window.tabs.setCurrentWidget(explorer)
    explorer.model_choice.setCurrentIndex(explorer.model_choice.findData(model))
    qtbot.waitUntil(
        lambda: explorer.source == model and explorer.interpolator is not None, timeout=60000
    )
    return explorer
