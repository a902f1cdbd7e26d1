"""auto's precision probe: the model's own steps, timed until stable, cached only when stable,
expired on another torch, CPU or week, and harmless to the run (timings injected, steps real)."""

from __future__ import annotations

import functools
import itertools
import json
import time
from collections.abc import Callable

import pytest
import torch

from tests.toy_model import ToyLearner, toy_model  # noqa: F401  (a fixture)
from trainer.common.errors import ConfigError
from trainer.common.events import RunFinished
from trainer.config.device import cpu_model
from trainer.config.precision import plain_precision, resolve_precision
from trainer.config.precision_probe import CACHE_NAME, MIN_ROUNDS, Measurement
from trainer.config.settings import default_config
from trainer.learners.precision_trial import learner_probe
from trainer.runs.checkpoint import load_checkpoint
from trainer.training.loop import train

CPU = torch.device("cpu")
pytestmark = pytest.mark.usefixtures("toy_model")  # the probe steps the toy model's learner


def unexpected_probe(mode):
    raise AssertionError("the probe must not run here")


def test_forced_precisions_are_used_or_refused_with_a_reason():
    assert resolve_precision("fp32", CPU, unexpected_probe).mode == "fp32"
    assert resolve_precision("bf16", CPU, unexpected_probe).mode == "bf16"
    with pytest.raises(ConfigError, match="fp16 needs a CUDA GPU"):
        resolve_precision("fp16", CPU, unexpected_probe)


def measured(ratio: float, stable: bool = True, all_faster: bool = False) -> Measurement:
    """A measurement as the probe reports it (for tests of the decision alone)."""
    return Measurement(ratio, 0.02 if stable else 0.9, 3, 10.0 * ratio, 10.0, stable, all_faster, 0)


@pytest.fixture
def native_bf16(monkeypatch):
    """A CPU with bf16 arithmetic, whatever this test machine has."""
    monkeypatch.setattr(
        "trainer.config.precision._native_low_precision", lambda device: ("bf16", "")
    )


@pytest.mark.usefixtures("native_bf16")
@pytest.mark.parametrize(
    ("measurement", "chosen"),
    [
        (measured(0.6), "fp32"),
        (measured(1.05), "fp32"),
        (measured(1.4), "bf16"),
        (measured(1.4, stable=False), "fp32"),
        (measured(1.4, stable=False, all_faster=True), "bf16"),
    ],
)
def test_auto_follows_a_stable_measurement_of_the_model(measurement, chosen):
    asked = []
    result = resolve_precision("auto", CPU, lambda mode: asked.append(mode) or measurement)
    assert result.mode == chosen and f"{measurement.ratio:.2f}x" in result.reason
    assert asked == ["bf16"] and result.evidence == measurement
    assert result.record("auto")["evidence"]["spread"] == measurement.spread


def test_auto_does_not_probe_a_cpu_without_bf16(monkeypatch):
    monkeypatch.setattr(torch.backends.mkldnn, "is_available", lambda: False)
    result = resolve_precision("auto", CPU, unexpected_probe)
    assert result.mode == "fp32" and "no bf16" in result.reason


def test_auto_does_not_probe_a_cpu_whose_flags_lack_bf16(monkeypatch):
    monkeypatch.setattr(
        "trainer.config.precision.cpu_flags", lambda: frozenset({"avx2", "avx512f", "fma"})
    )
    result = resolve_precision("auto", CPU, unexpected_probe)
    assert result.mode == "fp32" and "no bf16" in result.reason and result.evidence is None


def test_auto_does_not_probe_a_model_that_keeps_float32():
    result = resolve_precision("auto", CPU, unexpected_probe, "its log-determinants need it")
    assert (result.mode, result.reason) == ("fp32", "auto keeps fp32: its log-determinants need it")


class Scripted:
    """A timer that runs each real step and reports the next scripted seconds of its mode."""

    def __init__(self, fp32: list[float], low: list[float]) -> None:
        self.script = {"fp32": itertools.cycle(fp32), "bf16": itertools.cycle(low)}
        self.calls = 0

    def __call__(self, mode, step):
        step()
        self.calls += 1
        return next(self.script[mode])


def toy_config(**changes):
    return default_config("toy", latent_dim=4, batch_size=8, device="cpu", **changes)


def tiny_probe(tiny_data, timer) -> Callable[[str], Measurement]:
    """The real probe of the toy model (tests/toy_model.py) on 8 images, timed by `timer`."""
    images, labels = tiny_data.train.images[:8], tiny_data.train.labels[:8]
    return learner_probe(toy_config(), CPU, images, labels, timer)


def cache_entries(isolated_cache) -> dict:
    path = isolated_cache / CACHE_NAME
    return json.loads(path.read_text()) if path.exists() else {}


@pytest.mark.usefixtures("native_bf16")
def test_a_stable_1_5x_picks_bf16_and_is_cached(tiny_data, isolated_cache):
    timer = Scripted(fp32=[0.3], low=[0.2])
    chosen = resolve_precision("auto", CPU, tiny_probe(tiny_data, timer))
    assert chosen.mode == "bf16" and chosen.evidence.ratio == pytest.approx(1.5)
    assert chosen.evidence.stable and chosen.evidence.rounds == MIN_ROUNDS
    assert "1.50x as fast as fp32" in chosen.reason and "measured now" in chosen.reason
    (key,) = cache_entries(isolated_cache)
    assert key.startswith("toy (3920 weights, batch 8)") and key.endswith("| bf16")
    again = resolve_precision("auto", CPU, tiny_probe(tiny_data, unexpected_timer))
    assert again.mode == "bf16" and again.evidence.source == "cached" and "cached" in again.reason


def unexpected_timer(mode, step):
    raise AssertionError("a valid cached answer is not measured again")


@pytest.mark.usefixtures("native_bf16")
@pytest.mark.parametrize(
    ("fp32", "low", "rounds", "chosen", "why"),
    [
        # after a warm-up, rounds of 0.1x, 1.25x, 0.38x: the budget (8 s) runs out
        ([0.5], [0.5, 5.0, 0.4, 1.3], 3, "fp32", "too uneven to judge"),
        # 1.1x to 2.5x: faster in every round, unevenly
        ([0.5], [0.3, 0.45, 0.2, 0.35], 9, "bf16", "faster than fp32 in every round"),
        # five-second steps: the warm-up and one round fill the budget
        ([5.0], [5.0], 1, "fp32", "took too long to time"),
    ],
)
def test_unstable_timings_are_never_cached(
    tiny_data, isolated_cache, fp32, low, rounds, chosen, why
):
    timer = Scripted(fp32=fp32, low=low)
    result = resolve_precision("auto", CPU, tiny_probe(tiny_data, timer))
    assert result.mode == chosen and why in result.reason and "measured again" in result.reason
    assert not result.evidence.stable and result.evidence.rounds == rounds
    assert cache_entries(isolated_cache) == {}


@pytest.mark.parametrize(
    "stale",
    [
        {"torch": "1.13.0"},
        {"cpu": "Another CPU (flags 000000000000)"},
        {"measured_at": time.time() - 8 * 24 * 3600},
        {"stable": False},
        None,  # the control: an entry as written is used
    ],
)
def test_a_cache_from_another_torch_cpu_or_week_is_measured_again(tiny_data, isolated_cache, stale):
    tiny_probe(tiny_data, Scripted(fp32=[0.3], low=[0.2]))("bf16")  # measured and cached
    cache = cache_entries(isolated_cache)
    (entry,) = cache.values()
    assert entry["torch"] == torch.__version__ and entry["cpu"].startswith(cpu_model())
    entry.update(stale or {})
    (isolated_cache / CACHE_NAME).write_text(json.dumps(cache))
    timer = Scripted(fp32=[0.3], low=[0.4])  # now bf16 is slower
    result = tiny_probe(tiny_data, timer)("bf16")
    assert (result.source, result.ratio < 1, timer.calls > 0) == (
        ("cached", False, False) if stale is None else ("measured", True, True)
    )


def test_the_probe_leaves_the_global_random_stream_alone(monkeypatch, tiny_data):
    # A step that draws from torch's global stream (as dropout would) must not shift the run's.
    def step_with_dropout(self, images, labels=None):
        torch.rand(64)
        return plain_step(self, images, labels)

    plain_step = ToyLearner.train_step
    monkeypatch.setattr(ToyLearner, "train_step", step_with_dropout)
    torch.manual_seed(123)
    before = torch.get_rng_state()
    tiny_probe(tiny_data, Scripted(fp32=[0.3], low=[0.2]))("bf16")
    assert torch.equal(torch.get_rng_state(), before)


@pytest.mark.usefixtures("native_bf16")
def test_a_run_after_the_probe_trains_exactly_as_one_without(monkeypatch, tiny_data, tmp_path):
    timer = Scripted(fp32=[0.3], low=[0.2])  # auto will pick bf16
    monkeypatch.setattr(
        "trainer.training.loop.learner_probe", functools.partial(learner_probe, timer=timer)
    )
    weights = {}
    for precision in ("auto", "bf16"):
        events = list(
            train(toy_config(epochs=1, precision=precision), tiny_data, tmp_path / precision)
        )
        assert events[0].precision == "bf16" and isinstance(events[-1], RunFinished)
        weights[precision] = load_checkpoint(tmp_path / precision).state["model"]
    assert timer.calls > 0
    for name, tensor in weights["bf16"].items():
        assert torch.equal(weights["auto"][name], tensor), name


@pytest.mark.usefixtures("native_bf16")
def test_auto_records_its_evidence_in_run_json_and_the_start_event(
    monkeypatch, tiny_data, tmp_path
):
    timer = Scripted(fp32=[0.3], low=[0.2])
    monkeypatch.setattr(
        "trainer.training.loop.learner_probe", functools.partial(learner_probe, timer=timer)
    )
    events = list(train(toy_config(epochs=1), tiny_data, tmp_path))
    assert isinstance(events[-1], RunFinished) and timer.calls > 0
    choice = json.loads((tmp_path / "run.json").read_text())["precision"]
    assert (choice["used"], choice["evidence"]["ratio"]) == ("bf16", 1.5)
    assert choice["evidence"]["source"] == "measured" and choice["evidence"]["rounds"] == 3
    assert events[0].precision_evidence == choice["evidence"]
    words = plain_precision("bf16", "auto", events[0].device, events[0].precision_evidence)
    assert words == "bf16 (1.50x fp32 on this CPU)"


def test_the_status_words_say_why_auto_kept_fp32():
    noisy, slow = measured(1.4, stable=False).record(), measured(1.05).record()
    assert plain_precision("fp32", "auto", "cpu", noisy) == "fp32 (timings too uneven to choose)"
    assert (
        plain_precision("fp32", "auto", "cpu", slow)
        == "fp32 (low precision only 1.05x faster here)"
    )
