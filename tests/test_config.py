"""Impossible settings are refused with a message that names each of them."""

from __future__ import annotations

import pytest

from trainer.config import RunConfig, default_config
from trainer.errors import ConfigError


def test_defaults_per_model():
    assert default_config("vae").latent_dim == 32
    gan = default_config("gan")
    assert (gan.latent_dim, gan.lr) == (64, 2e-4)
    assert default_config("gan", lr=None, epochs=3).epochs == 3  # None means "default"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"epochs": 0}, "epochs: 0 is outside 1..100000"),
        ({"batch_size": -5}, "batch_size: -5 is outside"),
        ({"batch_size": 10**9}, "batch_size: 1000000000 is outside"),
        ({"latent_dim": 0}, "latent_dim: 0 is outside"),
        ({"lr": 0.0}, "lr: 0.0 must be above 0"),
        ({"lr": float("nan")}, "lr: nan is not a finite number"),
        ({"beta": -1.0}, "beta: -1.0 is outside 0..1000"),
        ({"limit": 3}, "limit: 3 must be at least 10"),
        ({"epochs": 2.5}, "epochs: 2.5 is not a whole number"),
        ({"model": "diffusion"}, "model: 'diffusion' is not one of vae, gan"),
    ],
)
def test_impossible_values_are_refused(changes, message):
    with pytest.raises(ConfigError, match="Invalid settings") as info:
        RunConfig(**changes)
    assert message in str(info.value)


def test_every_problem_is_listed_at_once():
    with pytest.raises(ConfigError) as info:
        RunConfig(epochs=0, lr=5.0)
    assert "epochs" in str(info.value) and "lr" in str(info.value)


def test_round_trip_and_unknown_keys():
    config = default_config("gan", epochs=2)
    assert RunConfig.from_dict(config.to_dict()) == config
    with pytest.raises(ConfigError, match="Unknown settings: colour"):
        RunConfig.from_dict({**config.to_dict(), "colour": "red"})
