"""The training loop's events, run folder, resume, reproducibility and failure handling."""

from __future__ import annotations

import json
import threading

import numpy as np
import pytest

from tests.runs import run_all, tiny_config
from trainer.common.events import (
    CheckpointSaved,
    EpochEnded,
    Paused,
    Resumed,
    RunFinished,
    RunStarted,
    RunStopped,
    SamplesReady,
    StepLogged,
)
from trainer.learners import VAELearner
from trainer.registry import all_models, get_model
from trainer.runs.checkpoint import load_checkpoint
from trainer.training.loop import train

# Models that train on the images as they are, 7 steps an epoch on tiny_data; a translator
# trains on rows of its two domains (tests/trainer/learners/test_learners_cycle_gan.py runs it
# through the loop).
ON_THE_IMAGES = [spec.name for spec in all_models() if not spec.translates]

# Every registered model goes through the loop tests, the flow with a small network.
pytestmark = pytest.mark.usefixtures("small_networks")


def epoch_metrics(events):
    return [(e.epoch, e.step, e.train, e.test) for e in events if isinstance(e, EpochEnded)]


@pytest.mark.parametrize("model", ON_THE_IMAGES)
def test_events_and_run_folder(tiny_data, tmp_path, model):
    spec = get_model(model)
    events = run_all(tiny_config(model), tiny_data, tmp_path / "run")
    assert isinstance(events[0], RunStarted) and isinstance(events[-1], RunFinished)
    started = events[0]
    assert (started.steps_per_epoch, started.total_steps) == (7, 14)  # 200 images / 32
    steps = [e for e in events if isinstance(e, StepLogged)]
    assert [e.step for e in steps] == list(range(2, 15, 2))
    assert all(e.images_per_s > 0 and all(np.isfinite(list(e.losses.values()))) for e in steps)
    assert all(set(e.losses) == set(spec.step_metrics) for e in steps)
    epochs = [e for e in events if isinstance(e, EpochEnded)]
    assert [e.epoch for e in epochs] == [1, 2]
    # a model may report a subset (the VAE's BCE or 8-bit terms, by its decoder)
    assert spec.summary_metrics[0] in epochs[0].test
    assert set(epochs[0].test) <= set(spec.test_metrics)
    grids = [e for e in events if isinstance(e, SamplesReady)]
    assert [g.name for g in grids] == [g.name for g in spec.grids] * 2
    for g in grids:
        class_rows = spec.conditional and g.name == "samples"  # 10 x 10, else 8 x 8 tiles
        assert g.grid.dtype == np.uint8 and g.grid.shape == (
            (302,) * 2 if class_rows else (242,) * 2
        )
    assert sum(isinstance(e, CheckpointSaved) for e in events) == 2

    folder = tmp_path / "run"
    assert json.loads((folder / "config.json").read_text())["model"] == model
    records = [json.loads(line) for line in (folder / "metrics.jsonl").read_text().splitlines()]
    assert [r["type"] for r in records].count("epoch") == 2
    assert [r["step"] for r in records if r["type"] == "step"] == list(range(2, 15, 2))
    pngs = sorted(p.name for p in (folder / "samples").iterdir())
    assert "epoch_001.png" in pngs and "epoch_002.png" in pngs
    checkpoint = load_checkpoint(folder, expect_model=model)
    assert (checkpoint.epoch, checkpoint.step, checkpoint.batch_in_epoch) == (2, 14, 0)


def test_same_seed_same_metrics(tiny_data, tmp_path):
    first = epoch_metrics(run_all(tiny_config(seed=5), tiny_data, tmp_path / "a"))
    second = epoch_metrics(run_all(tiny_config(seed=5), tiny_data, tmp_path / "b"))
    other = epoch_metrics(run_all(tiny_config(seed=6), tiny_data, tmp_path / "c"))
    assert first == second
    assert first != other


@pytest.mark.parametrize("model", ON_THE_IMAGES)
def test_resume_from_epoch_boundary_continues_the_same_run(tiny_data, tmp_path, model):
    whole = epoch_metrics(run_all(tiny_config(model), tiny_data, tmp_path / "whole"))
    run_all(tiny_config(model, epochs=1), tiny_data, tmp_path / "part")
    checkpoint = load_checkpoint(tmp_path / "part")
    events = run_all(tiny_config(model), tiny_data, tmp_path / "part", resume=checkpoint)
    assert events[0].step == 7 and events[0].epoch == 1
    assert epoch_metrics(events) == whole[1:]  # the same second epoch, to the last bit
    epochs_in_file = [
        json.loads(line)["epoch"]
        for line in (tmp_path / "part" / "metrics.jsonl").read_text().splitlines()
        if '"type": "epoch"' in line
    ]
    assert epochs_in_file == [1, 2]


def test_wgan_logs_its_generator_update_count_not_a_mean(tiny_data, tmp_path):
    events = run_all(tiny_config("wgan", epochs=1, n_critic=2, log_every=3), tiny_data, tmp_path)
    steps = [e for e in events if isinstance(e, StepLogged)]
    assert [(e.step, e.losses["g_updates"]) for e in steps] == [(3, 1), (6, 3)]
    (epoch,) = [e for e in events if isinstance(e, EpochEnded)]
    assert epoch.train["g_updates"] == 3  # 7 critic steps, a generator step every second


def test_stop_mid_epoch_saves_and_resume_matches_an_uninterrupted_run(tiny_data, tmp_path):
    config = tiny_config(log_every=1)
    whole = epoch_metrics(run_all(config, tiny_data, tmp_path / "whole"))
    stop = threading.Event()
    events = []
    for event in train(config, tiny_data, tmp_path / "part", stop_event=stop):
        events.append(event)
        if isinstance(event, StepLogged) and event.step == 10:
            stop.set()
    assert isinstance(events[-1], RunStopped) and events[-1].step == 10
    checkpoint = load_checkpoint(tmp_path / "part")
    assert (checkpoint.epoch, checkpoint.step, checkpoint.batch_in_epoch) == (1, 10, 3)
    resumed = run_all(config, tiny_data, tmp_path / "part", resume=checkpoint)
    assert epoch_metrics(events + resumed) == whole


def test_pause_blocks_steps_until_resumed(tiny_data, tmp_path):
    pause = threading.Event()
    pause.set()
    events = train(tiny_config(epochs=1), tiny_data, tmp_path / "run", pause_event=pause)
    assert isinstance(next(events), RunStarted)
    assert next(events) == Paused(step=0)
    result = {}

    def consume():
        result["next"] = next(events)

    worker = threading.Thread(target=consume)
    worker.start()
    worker.join(0.3)
    assert worker.is_alive() and "next" not in result  # still paused: no step taken
    pause.clear()
    worker.join(5)
    assert result["next"] == Resumed(step=0)
    assert isinstance(list(events)[-1], RunFinished)


def test_stop_while_paused_ends_the_run(tiny_data, tmp_path):
    pause, stop = threading.Event(), threading.Event()
    pause.set()
    events = []
    for event in train(
        tiny_config(), tiny_data, tmp_path / "r", stop_event=stop, pause_event=pause
    ):
        events.append(event)
        if isinstance(event, Paused):
            stop.set()
    assert isinstance(events[-1], RunStopped)


def test_resume_refuses_changed_settings(tiny_data, tmp_path):
    run_all(tiny_config(epochs=1), tiny_data, tmp_path / "run")
    checkpoint = load_checkpoint(tmp_path / "run")
    events = run_all(tiny_config(latent_dim=8), tiny_data, tmp_path / "run", resume=checkpoint)
    assert events[-1].kind == "config" and "Latent size: 4 -> 8" in events[-1].message


def test_a_second_run_in_the_same_folder_is_refused_while_the_first_trains(tiny_data, tmp_path):
    first = train(tiny_config(epochs=50), tiny_data, tmp_path / "run")
    assert isinstance(next(first), RunStarted)  # the first run holds the folder now
    second = list(train(tiny_config(), tiny_data, tmp_path / "run"))
    assert len(second) == 1 and second[0].kind == "run_folder"
    assert "is in use: another fmgen is training in this run folder" in second[0].message
    first.close()  # the lock goes with the run
    assert isinstance(run_all(tiny_config(epochs=1), tiny_data, tmp_path / "run")[-1], RunFinished)


def test_grid_history_is_thinned_but_spans_the_run():
    from trainer.common.events import SamplesReady as Grid
    from trainer.runs.history import MAX_GRIDS, RunHistory

    history = RunHistory("gan")
    for epoch in range(1, 501):
        history.add(Grid(epoch, epoch, "samples", np.zeros((2, 2), np.uint8)))
    kept = sorted(history.grids["samples"])
    assert len(kept) <= MAX_GRIDS and kept[0] == 1 and kept[-10:] == list(range(491, 501))
    assert len(set(np.diff(kept[:-10]))) > 1  # older epochs are sparser


def test_stop_during_the_epoch_end_evaluation_saves_and_resume_ends_that_epoch(
    tiny_data, tmp_path, monkeypatch
):
    config = tiny_config(log_every=1)
    whole = epoch_metrics(run_all(config, tiny_data, tmp_path / "whole"))
    stop = threading.Event()
    real_evaluate = VAELearner.evaluate

    def stop_on_entry(self, split, cancel=None):  # the stop arrives as the evaluation begins
        stop.set()
        return real_evaluate(self, split, cancel)

    monkeypatch.setattr(VAELearner, "evaluate", stop_on_entry)
    events = run_all(config, tiny_data, tmp_path / "part", stop_event=stop)
    assert isinstance(events[-1], RunStopped) and not epoch_metrics(events)
    checkpoint = load_checkpoint(tmp_path / "part")
    assert (checkpoint.epoch, checkpoint.step, checkpoint.batch_in_epoch) == (0, 7, 7)
    monkeypatch.setattr(VAELearner, "evaluate", real_evaluate)
    resumed = run_all(config, tiny_data, tmp_path / "part", resume=checkpoint)
    assert next(e.step for e in resumed if isinstance(e, StepLogged)) == 8  # none repeated
    assert epoch_metrics(resumed) == whole


def test_a_stop_after_the_epoch_end_evaluation_ends_without_saving_twice(tiny_data, tmp_path):
    stop = threading.Event()
    events = []
    for event in train(tiny_config(epochs=3), tiny_data, tmp_path / "run", stop_event=stop):
        events.append(event)
        if isinstance(event, EpochEnded):
            stop.set()  # while the grids and the checkpoint are being written
    after = events[[isinstance(e, EpochEnded) for e in events].index(True) :]
    assert [type(e) for e in after if not isinstance(e, SamplesReady)] == [
        EpochEnded,
        CheckpointSaved,
        RunStopped,
    ]
    assert load_checkpoint(tmp_path / "run").batch_in_epoch == 0
