"""The model registry: one entry makes a model known everywhere, with no other file touched."""

from __future__ import annotations

import json

import pytest
import torch

from tests.runs import small_latent, tiny_run
from tests.toy_model import TOY_LOSS, toy_model  # noqa: F401  (a fixture)
from trainer.cli.train import build_parser
from trainer.common.errors import CheckpointError
from trainer.common.keys import METRICS
from trainer.config.settings import default_config
from trainer.learners import learner_class, make_learner
from trainer.registry import all_models, get_model, model_names
from trainer.runs.checkpoint import load_checkpoint
from trainer.runs.history import RunHistory


def test_every_builtin_entry_is_complete():
    for spec in all_models():
        assert learner_class(spec) is not None
        assert spec.plots and spec.grids and spec.summary_metrics
        assert set(spec.summary_metrics) <= set(spec.test_metrics)
        for key in (*spec.step_metrics, *spec.test_metrics):
            assert key in METRICS, f"{spec.name}: metric {key!r} has no label"
        curves = {curve.key for plot in spec.plots for curve in plot.curves}
        known = (
            {f"step/{k}" for k in spec.step_metrics}
            | {f"{split}/{k}" for split in ("train", "test") for k in spec.test_metrics}
            | {f"train/{k}" for k in spec.step_metrics}
        )
        assert curves <= known, f"{spec.name}: plots name unknown series {curves - known}"
        default_config(spec.name)  # its defaults pass the config's checks


def test_an_unknown_model_names_the_known_ones():
    with pytest.raises(KeyError, match="choose one of vae, gan"):
        get_model("nope")


def test_a_registered_toy_model_trains_from_the_cli(toy_model, tiny_data_dir, tmp_path):  # noqa: F811
    choices = next(a for a in build_parser()._actions if a.dest == "model").choices
    assert "toy" in choices and "toy" in model_names()
    folder = tiny_run("toy", tiny_data_dir, tmp_path / "runs", epochs=2)
    assert json.loads((folder / "config.json").read_text())["model"] == "toy"
    history = RunHistory.from_folder(folder)
    assert history.series[f"step/{TOY_LOSS}"].size > 0
    assert sorted(history.grids["samples"]) == [1, 2]
    test_losses = history.series[f"test/{TOY_LOSS}"].y
    assert test_losses[-1] < test_losses[0]  # it learned something, through the shared loop
    with pytest.raises(CheckpointError, match="holds a Toy, but a VAE is needed"):
        load_checkpoint(folder, expect_model="vae")


@pytest.mark.usefixtures("small_networks")
@pytest.mark.parametrize("model", model_names())
def test_a_checkpoint_of_one_model_refuses_to_load_as_another(model, tiny_data_dir, tmp_path):
    folder = tiny_run(model, tiny_data_dir, tmp_path / "runs")
    state = load_checkpoint(folder, expect_model=model).state
    for other in model_names():
        if other != model:
            with pytest.raises(CheckpointError, match="is needed here"):
                load_checkpoint(folder, expect_model=other)
            config = default_config(other, **small_latent(other))
            learner = make_learner(config, torch.device("cpu"))
            with pytest.raises(CheckpointError, match="weights do not fit"):
                learner.load_state_dict(state)  # the weights alone do not fit either


def test_pins_survive_a_restart_and_main_roles_replace(tmp_path):
    from trainer.runs.pins import Pin, PinStore

    store = PinStore(tmp_path / "pins.json")
    store.add(Pin("vae-1", "within", "test", 3, 9))
    store.add(Pin("vae-1", "extra", "test", 1, 2, method="lerp"))
    store.add(Pin("vae-1", "within", "test", 4, 5))  # replaces the first
    store.add(Pin("gan-1", "between", "latent", 11, 12))
    again = PinStore(tmp_path / "pins.json")
    assert [(p.role, p.a, p.b) for p in again.pins("vae-1")] == [("within", 4, 5), ("extra", 1, 2)]
    again.remove(Pin("vae-1", "extra", "test", 1, 2, method="lerp"))
    assert len(PinStore(tmp_path / "pins.json").pins("vae-1")) == 1
