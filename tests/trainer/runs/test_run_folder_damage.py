"""Damaged run folders: every reader either works or says which file is wrong and how, and
none of them changes the folder (issue 23; docs/faults.md, "Damaged run folders", lists
the cases)."""

from __future__ import annotations

import errno
import json
import os
import re
import tempfile
import time
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.damage import JSON_FILES, RUN_FILES, Damage, copy_run, folder_digest
from tests.run_readers import OK, reader_outcomes
from tests.runs import SMALL_NETWORKS, tiny_run
from trainer.common import keys
from trainer.common.errors import RunFolderError
from trainer.runs.archive import archive_run
from trainer.runs.facts import read_run_facts
from trainer.runs.history import open_run_files
from trainer.runs.index import DAMAGED, RunIndex
from trainer.runs.loading import load_learner
from trainer.runs.metrics_json import RUNS, SAMPLES_SECTION
from trainer.runs.pins import run_key


@pytest.fixture(scope="module")
def base_run(tiny_data_dir, tmp_path_factory):
    """A finished tiny flow run (small networks: a 330 kB checkpoint) with an evaluation's FID.

    The small networks stay set for the module: loading the run builds the same network.
    """
    with pytest.MonkeyPatch.context() as patch:
        for target, value in SMALL_NETWORKS.items():
            patch.setattr(target, value)
        # a record per step: enough for the loss trend of the run's facts
        run = tiny_run("flow", tiny_data_dir, tmp_path_factory.mktemp("runs"), "--log-every", "1")
        document = {RUNS: {run_key(run): {SAMPLES_SECTION: {keys.FID: 96.0}}}}
        (run / "metrics.json").write_text(json.dumps(document))  # as write_metrics writes it
        yield run


# One of each kind of damage to each file; the documented outcome of each is checked below.
CASES = (
    [
        Damage(file, kind, arg)
        for file in RUN_FILES
        for kind, arg in (
            ("truncate", 0.0),
            ("truncate", 0.5),
            ("corrupt", ((100, 0xFF), (101, 0xFF))),
            ("not utf-8", 0),
            ("delete", None),
            ("directory", None),
            ("symlink loop", None),
        )
    ]
    + [Damage(file, "json type", [1, 2]) for file in JSON_FILES]
    + [
        Damage("config.json", "field type", (0, [1])),  # adam_betas: one number
        Damage("run.json", "field type", (7, "soon")),  # updated: a text where a time goes
        Damage("metrics.json", "field type", (0, [1])),  # runs: a list
    ]
)


INDEX, OPEN, EVALUATE, FOLLOW, ARCHIVE = (
    "runs index",
    "open run",
    "evaluate/report",
    "follow",
    "archive",
)
UNREADABLE = ("directory", "symlink loop")
# The readers that refuse each damage (with a message naming the file); the others work.
# docs/faults.md ("Damaged run folders") is this table in words.
REFUSED_BY = {
    "config.json": {"delete": {INDEX, ARCHIVE}, "directory": {INDEX, OPEN, ARCHIVE}},
    "metrics.jsonl": {kind: {INDEX, OPEN, EVALUATE, FOLLOW} for kind in UNREADABLE},
    "run.json": {},
    "metrics.json": {"delete": set()},
    "checkpoint.pt": {},
    "checkpoints/epoch_001.pt": {},
    "samples/epoch_001.png": {"delete": set()},
}
OTHERWISE = {  # any other damage to the file
    "config.json": {INDEX, OPEN},
    "metrics.jsonl": set(),  # a damaged line is skipped, as a torn last line always was
    "run.json": set(),  # advisory: the state shows as unknown
    "metrics.json": {INDEX},  # the run opens; its row says the evaluation's file is damaged
    "checkpoint.pt": {OPEN, EVALUATE},
    "checkpoints/epoch_001.pt": set(),  # a finished run is read from checkpoint.pt
    "samples/epoch_001.png": {OPEN},  # the Runs list decodes no grid
}
REFUSED_BY["config.json"]["symlink loop"] = {INDEX, OPEN, ARCHIVE}


def refused_by(damage: Damage) -> set[str]:
    """The readers documented to refuse `damage`."""
    return REFUSED_BY[damage.file].get(damage.kind, OTHERWISE[damage.file])


def check_readers(base_run: Path, damage: Damage, work: Path) -> dict[str, str]:
    """Damage a copy of `base_run`, run every reader on it and check what the property says:
    each works or says which file is wrong, the Runs list shows the run (damaged when its row
    cannot be read), and no byte of the folder changed."""
    folder = copy_run(base_run, work / "runs" / base_run.name)
    damage.apply(folder)
    before = folder_digest(folder)
    scratch = work / "scratch"
    scratch.mkdir()
    outcomes = reader_outcomes(folder, scratch)
    (row,) = RunIndex(scratch / "runs.json").rows([work / "runs"])
    assert folder_digest(folder) == before, (damage, "reading changed the run folder")
    name = Path(damage.file).name
    for reader, outcome in outcomes.items():
        assert outcome == OK or name in outcome, (damage, reader, outcome)
        assert not re.search(r":\s*\)?$", outcome), (damage, reader, outcome)  # a reason at the end
    assert (row.state == DAMAGED) == (outcomes[INDEX] != OK), (damage, row)
    if row.state == DAMAGED:
        # the reason, in the Runs view, naming the file within the run folder
        assert row.metrics == outcomes[INDEX].replace(f"{folder}/", "")
        assert row.metrics.startswith(damage.file)
    return outcomes


def test_each_documented_damage_gets_its_documented_outcome(base_run, tmp_path):
    # One test for all cases, not one per case: each test's teardown collects garbage (0.5 s
    # with torch loaded), which would double this module's time.
    refused = []
    for n, damage in enumerate(CASES):
        outcomes = check_readers(base_run, damage, tmp_path / str(n))
        refused.append((damage, {reader for reader, outcome in outcomes.items() if outcome != OK}))
    assert refused == [(damage, refused_by(damage)) for damage in CASES]


def test_the_undamaged_run_is_read_by_every_reader(base_run, tmp_path):
    folder = copy_run(base_run, tmp_path / "runs" / base_run.name)
    (tmp_path / "scratch").mkdir()
    assert set(reader_outcomes(folder, tmp_path / "scratch").values()) == {OK}
    row = RunIndex(tmp_path / "runs.json").row(folder)
    assert (row.state, row.fid) == ("finished", 96.0)


def test_a_damaged_lock_of_a_running_run_is_read_by_every_reader(base_run, tmp_path):
    # Only a run that says it is running (and is fresh) has its .lock probed, to offer it.
    running = copy_run(base_run, tmp_path / "running" / base_run.name)
    status = json.loads((running / "run.json").read_text())
    status.update(state="running", step=status["total_steps"] - 1, updated=time.time())
    (running / "run.json").write_text(json.dumps(status))
    for n, kind in enumerate(("directory", "symlink loop")):
        outcomes = check_readers(running, Damage(".lock", kind), tmp_path / str(n))
        assert set(outcomes.values()) == {OK}, (kind, outcomes)


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=4),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.text(max_size=4), inner, min_size=1, max_size=3)
    ),
    max_leaves=6,
)
ANY_FILE = st.sampled_from(RUN_FILES)
DAMAGES = st.one_of(
    st.builds(Damage, ANY_FILE, st.just("truncate"), st.floats(0, 1, exclude_max=True)),
    st.builds(
        Damage,
        ANY_FILE,
        st.just("corrupt"),
        st.lists(st.tuples(st.integers(0, 10**6), st.integers(1, 255)), min_size=1, max_size=4).map(
            tuple
        ),
    ),
    st.builds(Damage, ANY_FILE, st.just("not utf-8"), st.integers(0, 10**6)),
    st.builds(
        Damage,
        st.sampled_from(JSON_FILES),
        st.just("json type"),
        JSON_VALUES.filter(lambda value: not isinstance(value, dict)),
    ),
    st.builds(
        Damage,
        st.sampled_from(JSON_FILES),
        st.just("field type"),
        st.tuples(st.integers(0, 30), JSON_VALUES),
    ),
    st.builds(Damage, ANY_FILE, st.sampled_from(["delete", "directory", "symlink loop"])),
)


@settings(
    # about 0.2 s an example on one core; DAMAGE_EXAMPLES=400 searches harder (2 minutes)
    max_examples=int(os.environ.get("DAMAGE_EXAMPLES", 60)),
    deadline=None,
    database=None,  # nothing written into the checkout
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(damage=DAMAGES)
@example(Damage("checkpoint.pt", "corrupt", ((0, 1),)))  # found by it: an IndexError from torch
@example(Damage("checkpoint.pt", "corrupt", ((1278, 1),)))  # and a reason cut at its header
def test_any_damage_is_read_or_refused_with_the_files_name(base_run, damage):
    with tempfile.TemporaryDirectory() as work:
        check_readers(base_run, damage, Path(work))


def test_a_file_the_disk_cannot_read_stops_the_archive_with_its_name(
    base_run, tmp_path, monkeypatch
):
    real_write = zipfile.ZipFile.write

    def bad_sector(self, filename, arcname=None, *args, **kwargs):
        if Path(filename).name == "metrics.jsonl":
            raise OSError(errno.EIO, "Input/output error")
        return real_write(self, filename, arcname, *args, **kwargs)

    monkeypatch.setattr(zipfile.ZipFile, "write", bad_sector)
    with pytest.raises(RunFolderError, match=r"metrics\.jsonl: cannot be read: Input/output error"):
        archive_run(base_run, tmp_path / "run.zip")
    assert list(tmp_path.iterdir()) == []  # no archive, no temporary file


def test_damaged_records_cost_their_own_line_only(base_run, tmp_path):
    """A record of the wrong type, or with a value of the wrong type, is skipped by the curves
    and the run's facts alike; the records around it still count."""
    folder = copy_run(base_run, tmp_path / base_run.name)
    damaged = [
        [1, 2],
        {"type": "start", "train_size": "200", "steps_per_epoch": 8},
        {"type": "step", "epoch": 1, "step": "late", "bits_per_dim": 1.0, "images_per_s": 1.0},
        {"type": "step", "epoch": 1, "step": 9, "bits_per_dim": [], "images_per_s": 1.0},
        {"type": "epoch", "epoch": 2, "step": 16, "train": [], "test": {}, "seconds": 1.0},
    ]
    with open(folder / "metrics.jsonl", "a", encoding="utf-8") as log:
        log.writelines(json.dumps(record) + "\n" for record in damaged)
    clean, _ = open_run_files(base_run)
    _, history = open_run_files(folder)
    _, clean_history = open_run_files(base_run)
    assert history.epochs == clean_history.epochs
    assert {k: s.size for k, s in history.series.items()} == {
        k: s.size for k, s in clean_history.series.items()
    }
    learner, checkpoint = load_learner(folder)
    facts = read_run_facts(checkpoint, learner.trained_parameters, "label")
    expected = read_run_facts(clean, learner.trained_parameters, "label")
    assert (facts.train_size, facts.steps_per_epoch) == (200, 8)
    assert expected.loss_fall is not None
    assert (facts.loss_fall, facts.epochs_trained) == (expected.loss_fall, expected.epochs_trained)


@pytest.mark.parametrize("notes", [b"[1, 2]", b'{"KEY": 5}', b'{"KEY": {"label": [1]}}', b"\xff{"])
def test_a_damaged_notes_file_hides_no_run(base_run, tmp_path, notes):
    """The user's labels and notes (runs.json in the user data folder) are read as untrusted
    too: a damaged entry is dropped or shown as text, and the run is listed as usual."""
    notes_file = tmp_path / "runs.json"
    notes_file.write_bytes(notes.replace(b"KEY", run_key(base_run).encode()))
    (row,) = RunIndex(notes_file).rows([base_run.parent])
    assert row.state == "finished" and isinstance(row.label, str) and row.notes == ""


def test_a_running_status_with_a_text_time_reads_as_unknown(base_run, tmp_path):
    """run.json of the right shape but a text where its heartbeat time goes: the state is
    unknown (before: a TypeError when the Runs view asked whether the run had died)."""
    folder = copy_run(base_run, tmp_path / "runs" / base_run.name)
    status = json.loads((folder / "run.json").read_text())
    (folder / "run.json").write_text(json.dumps({**status, "state": "running", "updated": "soon"}))
    (row,) = RunIndex(tmp_path / "runs.json").rows([tmp_path / "runs"])
    assert row.state == "unknown"
    (tmp_path / "scratch").mkdir()
    assert set(reader_outcomes(folder, tmp_path / "scratch").values()) == {OK}
