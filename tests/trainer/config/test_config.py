"""Impossible settings are refused with a message that names each of them."""

from __future__ import annotations

import json

import pytest

from trainer.common.errors import ConfigError
from trainer.config.device import resolve_device
from trainer.config.resume import check_resumable
from trainer.config.settings import RunConfig, default_config
from trainer.runs.folder import RunFolder


def test_defaults_per_model():
    assert default_config("vae").latent_dim == 32
    gan = default_config("gan")
    assert (gan.latent_dim, gan.lr) == (64, 2e-4)
    assert default_config("gan", lr=None, epochs=3).epochs == 3  # None means "default"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"epochs": 0}, "Epochs: 0 is outside 1..100000"),
        ({"batch_size": -5}, "Batch size: -5 is outside"),
        ({"batch_size": 10**9}, "Batch size: 1000000000 is outside"),
        ({"latent_dim": 0}, "Latent size: 0 is outside"),
        ({"lr": 0.0}, "Learning rate: 0.0 must be above 0"),
        ({"lr": float("nan")}, "Learning rate: nan is not a finite number"),
        ({"beta": -1.0}, "KL weight beta: -1.0 must be at least 0 and at most 1000"),
        ({"limit": 3}, "Data subset: 3 must be at least 10"),
        ({"epochs": 2.5}, "Epochs: 2.5 is not a whole number"),
        ({"model": "diffusion"}, "Model: 'diffusion' is not one of vae, gan"),
    ],
)
def test_impossible_values_are_refused(changes, message):
    with pytest.raises(ConfigError, match="Invalid settings") as info:
        RunConfig(**changes)
    assert message in str(info.value)


def test_every_problem_is_listed_at_once():
    with pytest.raises(ConfigError) as info:
        RunConfig(epochs=0, lr=5.0)
    assert "Epochs: 0" in str(info.value) and "Learning rate: 5.0" in str(info.value)


def test_round_trip_and_unknown_keys():
    config = default_config("gan", epochs=2)
    assert RunConfig.from_dict(config.to_dict()) == config
    with pytest.raises(ConfigError, match="Unknown settings: colour"):
        RunConfig.from_dict({**config.to_dict(), "colour": "red"})


def test_options_of_other_models_are_refused():
    with pytest.raises(ConfigError, match="KL weight beta: does not apply to the GAN"):
        default_config("gan", beta=4.0)


def test_adam_betas_come_from_the_model_and_survive_json():
    assert default_config("gan").adam_betas == (0.5, 0.999)
    assert default_config("vae").adam_betas == (0.9, 0.999)
    values = json.loads(json.dumps(default_config("gan").to_dict()))
    assert RunConfig.from_dict(values) == default_config("gan")


def test_old_configs_take_the_models_defaults_for_new_settings():
    values = default_config("gan").to_dict()
    del values["adam_betas"], values["n_critic"], values["gp_weight"]
    assert RunConfig.from_dict(values).adam_betas == (0.5, 0.999)


def test_an_old_config_with_a_limit_above_the_training_split_loads_as_all_images(tmp_path):
    # Before limit had a range, 70000 was accepted and trained on all the images.
    values = {**default_config("vae").to_dict(), "limit": 70_000}
    assert RunConfig.from_dict(values).limit is None
    (tmp_path / "config.json").write_text(json.dumps(values))
    assert RunFolder(tmp_path).read_config().limit is None  # the old run folder opens
    assert RunConfig.from_dict({**values, "limit": 60_000}).limit == 60_000
    with pytest.raises(ConfigError, match=r"Data subset: 70000 is outside 10\.\.60000"):
        default_config("vae", limit=70_000)  # what the command line and the form build


def test_resume_and_device_errors_name_settings_as_people_see_them():
    saved = default_config("vae", latent_dim=4)
    with pytest.raises(ConfigError) as info:
        check_resumable(saved.replace(latent_dim=8, epochs=3), saved)
    message = str(info.value)
    assert "only Epochs, Device, Log every, Precision may change" in message
    assert "Latent size: 4 -> 8" in message
    assert "latent_dim" not in message and "log_every" not in message
    with pytest.raises(ConfigError, match=r"^Device: 'tpu' is not"):
        resolve_device("tpu")
