"""Without a window: which runs are offered for resume, how an evaluation adds runs, the words
of elapsed times and of results that are stale or incomplete."""

from __future__ import annotations

import pickle
import threading
from dataclasses import fields, is_dataclass
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QSettings

from fmgen_gui.report import evaluated
from fmgen_gui.report.evaluated import EvaluationClock, duration_words, stale_words
from fmgen_gui.session import LOADED, remembered_runs
from tests.runs import run_all, tiny_config, tiny_run
from tests.trainer.runs.test_checkpoint import _RunsCode
from trainer.evaluation.evaluate import evaluate
from trainer.evaluation.results import Evaluation, EvaluationSettings, RunEvaluation
from trainer.metrics.classifier import train_classifier
from trainer.report.options import PairOption, ReportOptions
from trainer.runs.facts import RunFacts
from trainer.runs.folder import RunFolderLock
from trainer.runs.interrupted import interrupted_run
from trainer.runs.metrics_json import CALIBRATION
from trainer.runs.pins import Pin
from trainer.runs.status import read_status
from trainer.training.loop import train

pytestmark = pytest.mark.timeout(600)


def test_a_stopped_or_dead_run_is_offered_a_finished_or_live_one_is_not(tiny_data, tmp_path):
    stop = threading.Event()
    for event in train(tiny_config(epochs=3), tiny_data, tmp_path / "stopped", stop):
        if type(event).__name__ == "EpochEnded":
            stop.set()
    offer = interrupted_run(tmp_path / "stopped")
    assert (offer.model, offer.epoch, offer.epochs, offer.state) == ("vae", 1, 3, "stopped")
    assert offer.offer() == "Resume VAE run stopped (epoch 1 of 3)"

    run_all(tiny_config(epochs=1), tiny_data, tmp_path / "finished")
    assert interrupted_run(tmp_path / "finished") is None
    assert interrupted_run(tmp_path / "nowhere") is None

    status = (tmp_path / "stopped" / "run.json").read_text()
    (tmp_path / "stopped" / "run.json").write_text(status.replace('"stopped"', '"running"'))
    assert read_status(tmp_path / "stopped").state == "running"
    with RunFolderLock(tmp_path / "stopped"):  # another process trains in it right now
        assert interrupted_run(tmp_path / "stopped") is None
    assert interrupted_run(tmp_path / "stopped").state == "dead"  # its process is gone
    lock = tmp_path / "stopped" / ".lock"
    lock.unlink()
    lock.mkdir()  # a lock that cannot be probed: not offered, rather than a traceback
    assert interrupted_run(tmp_path / "stopped") is None


def test_an_evaluation_adds_a_run_and_keeps_the_others(tiny_data, tiny_data_dir, tmp_path):
    vae = tiny_run("vae", tiny_data_dir, tmp_path / "vae")
    gan = tiny_run("gan", tiny_data_dir, tmp_path / "gan")
    classifier = train_classifier(tiny_data, epochs=1)
    settings = EvaluationSettings(samples=100, iwae_k=2)
    first = evaluate([vae], tiny_data, *classifier, settings)
    stages: list[str] = []
    both = evaluate(
        [vae, gan],
        tiny_data,
        *classifier,
        settings,
        lambda s, f, t: stages.append(s),
        None,
        None,
        first,
    )
    assert list(both.runs) == [vae.name, gan.name]
    assert both.runs[vae.name] is first.runs[vae.name]
    assert both.metrics[CALIBRATION] is first.metrics[CALIBRATION] and "calibration" not in stages
    assert both.metrics["runs"][vae.name] == first.metrics["runs"][vae.name]

    other = EvaluationSettings(samples=120, iwae_k=2)  # rows of another size: all anew
    again = evaluate([vae, gan], tiny_data, *classifier, other, previous=first)
    assert again.runs[vae.name] is not first.runs[vae.name]
    assert again.metrics[CALIBRATION] is not first.metrics[CALIBRATION]

    # Kept for the next start, it comes back as it was (read without pickle).
    assert both.runs[vae.name].paths and both.runs[vae.name].grids  # pictures are kept too
    pins = {vae.name: [Pin(vae.name, "between", "test", 3, 4, "lerp")]}
    options = ReportOptions(
        runs=(vae, gan), samples=100, iwae_k=2, pairs=(PairOption("between", 3, 4, vae.name),)
    )
    checkpoints = {
        key: folder / "checkpoint.pt" for key, folder in zip(both.runs, (vae, gan), strict=True)
    }
    kept = evaluated.Evaluated(
        both, options, evaluated.run_states(checkpoints, lambda k: pins.get(k, []))
    )
    evaluated.save_last(kept, tmp_path / "cache")
    back = evaluated.load_last(lambda k: pins.get(k, []), tmp_path / "cache")
    assert back is not None  # its runs (paths, times, pins) compare equal to the files'
    assert_same(back, kept)
    assert evaluated.load_last(lambda k: [], tmp_path / "cache") is None  # a pin removed since


def assert_same(back, kept, where: str = "kept") -> None:
    """Equal all the way down and of the same types; arrays by dtype and content."""
    if isinstance(kept, str | int | float) and not isinstance(kept, np.generic):
        # a subclass (torch.__version__ is a str) comes back as its plain type, as in JSON
        plain = next(t for t in (bool, str, int, float) if isinstance(kept, t))
        assert type(back) is plain, where
        assert back == kept or (back != back and kept != kept), where  # NaN is NaN
        return
    assert type(back) is type(kept), where
    if is_dataclass(kept):
        for field in fields(kept):
            assert_same(
                getattr(back, field.name), getattr(kept, field.name), f"{where}.{field.name}"
            )
    elif isinstance(kept, dict):
        assert list(back) == list(kept), where
        for key in kept:
            assert_same(back[key], kept[key], f"{where}[{key!r}]")
    elif isinstance(kept, list | tuple):
        assert len(back) == len(kept), where
        for i, (item, original) in enumerate(zip(back, kept, strict=True)):
            assert_same(item, original, f"{where}[{i}]")
    elif isinstance(kept, np.ndarray):
        assert back.dtype == kept.dtype and back.shape == kept.shape, where
        assert np.array_equal(back, kept, equal_nan=kept.dtype.kind in "fc"), where
    else:
        assert back == kept, where


def test_elapsed_words_count_the_wait_from_the_click(monkeypatch):
    assert [duration_words(s) for s in (4.4, 490, 3725)] == ["4 s", "8 min 10 s", "1 h 2 min"]
    now = [100.0]
    monkeypatch.setattr(evaluated.time, "monotonic", lambda: now[0])
    clock = EvaluationClock()
    clock.start()
    clock.classifier_at(0.2)  # another job trains it while this evaluation waits
    now[0] = 280.0
    clock.classifier_at(1.0)
    now[0] = 590.0
    assert clock.text() == "Evaluated in 8 min 10 s, including 3 min 0 s training the classifier"
    clock.start()
    clock.classifier_at(1.0)  # it was ready: nothing to say about it
    now[0] = 600.0
    assert clock.text() == "Evaluated in 10 s"
    assert clock.text(["VAE", "GAN"]) == (
        "Evaluated in 10 s (the results of VAE and GAN kept as they were)"
    )


def test_stale_and_missing_words():
    assert stale_words(False, True, ["GAN"]) == "stale: press Evaluate"
    assert stale_words(True, True, []) == "stale: re-evaluating"
    assert stale_words(True, False, ["ddpm-1"]) == "adding ddpm-1…"  # the kept stay current
    assert stale_words(True, False, [], True).startswith("evaluating every run again")
    assert stale_words(True, False, ["DDPM"], capped=True) == (  # the cap may change the count
        "adding DDPM… (every run again if a slow sampler's CPU cap changes the sample count)"
    )
    assert stale_words(False, False, ["GAN"]) == "not evaluated yet: GAN (Evaluate adds it)"
    assert (
        stale_words(False, False, ["a", "b"]) == "not evaluated yet: a and b (Evaluate adds them)"
    )
    assert stale_words(False, False, []) == ""


@pytest.mark.parametrize("value", ["not json", "5", '{"a": 1}', "null"])
def test_a_damaged_session_value_is_no_session(tmp_path, value):
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    settings.setValue(LOADED, value)
    assert remembered_runs(settings, LOADED) is None
    settings.setValue(LOADED, '["/a", 3, "/b"]')
    assert remembered_runs(settings, LOADED) == [Path("/a"), Path("/b")]


def test_a_damaged_kept_evaluation_is_no_evaluation(tmp_path):
    (tmp_path / evaluated.LAST_FILE).write_bytes(b"\x80\x04 damaged")
    assert evaluated.load_last(lambda key: [], tmp_path) is None
    assert evaluated.load_last(lambda key: [], tmp_path / "nowhere") is None
    (tmp_path / evaluated.LAST_FILE).write_bytes(b"PK\x03\x04 a zip cut short")
    assert evaluated.load_last(lambda key: [], tmp_path) is None
    # Readable, but not of the shape an evaluation has (its runs are not a dict).
    evaluated.save_last(evaluated.Evaluated(None, None, ["not", "runs"]), tmp_path)
    assert evaluated.load_last(lambda key: [], tmp_path) is None


def kept_run(model: str) -> RunEvaluation:
    """A kept run's results with facts of `model` and no numbers or pictures."""
    facts = RunFacts("vae-1", "VAE", model, "/runs/vae-1", {}, 1, None, None, 1, 1, 1.0, 1, None)
    return RunEvaluation(facts, {})


@pytest.mark.parametrize(
    ("evaluation", "options"),
    [
        (Evaluation([1, 2], {}), ReportOptions(runs=())),  # metrics: a list
        (Evaluation({}, {"vae-1": kept_run("diffusion")}), ReportOptions(runs=())),  # model gone
        (Evaluation({}, {"vae-1": kept_run("vae")}), ReportOptions(runs=(), samples=10**12)),
    ],
)
def test_a_kept_evaluation_of_the_wrong_types_is_no_evaluation(tmp_path, evaluation, options):
    evaluated.save_last(evaluated.Evaluated(evaluation, options, {}), tmp_path)
    assert evaluated.load_last(lambda key: [], tmp_path) is None
    # the same with its fields of the right types does load
    fine = evaluated.Evaluated(Evaluation({}, {"vae-1": kept_run("vae")}), ReportOptions(()), {})
    evaluated.save_last(fine, tmp_path)
    assert evaluated.load_last(lambda key: [], tmp_path) == fine


def test_a_kept_evaluation_crafted_to_run_code_is_ignored_and_runs_nothing(tmp_path):
    marker = tmp_path / "pwned"
    trap = pickle.dumps(_RunsCode(marker))  # unpickling it would create `marker`
    kept = tmp_path / evaluated.LAST_FILE
    kept.write_bytes(trap)  # a pickle where the kept evaluation goes
    assert evaluated.load_last(lambda key: [], tmp_path) is None
    with open(kept, "wb") as handle:  # an .npz whose document is a pickled object array
        np.savez(handle, document=np.array([_RunsCode(marker)], dtype=object))
    assert evaluated.load_last(lambda key: [], tmp_path) is None
    assert not marker.exists()
    assert pickle.loads(trap) and marker.exists()  # the trap is real
