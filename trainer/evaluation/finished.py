"""What an evaluation finished, stage by stage and run by run, kept when it is cancelled (issue
22, defect 4): the next evaluation of the same runs (checkpoints unchanged) with the same
settings, classifier and sample count reuses it and computes only what is missing.

Qt-free: the evaluation's thread fills it, the app reads it (a lock between) to say what Cancel
keeps and what the next Evaluate reuses.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from trainer.common.errors import CheckpointError
from trainer.evaluation.pictures import LabelledGrid
from trainer.evaluation.results import EvaluationSettings
from trainer.metrics.classifier import ClassifierInfo
from trainer.metrics.distribution import Features
from trainer.runs.checkpoint import resolve_checkpoint_path

RunSnapshot = tuple[str, str, int]  # run key, checkpoint file, its mtime in ns (0: gone)
NO_RUN: RunSnapshot = ("", "", 0)  # the calibration rows belong to no run
Basis = tuple[str, str, int, str]  # settings, classifier (JSON), samples per row, test split
# How a reused stage is described: the stages are kept when an evaluation is cancelled and also
# when one fails (a full disk, a damaged run), so the words name neither.
EARLIER = "finished before the last evaluation stopped"


def run_snapshot(key: str, run: Path | str) -> RunSnapshot:
    """Run `key` (a folder or its checkpoint, as evaluate takes it) as it is now: a run trained
    on since (or gone) has another snapshot, so its kept stages are not reused."""
    try:
        path = resolve_checkpoint_path(run)
    except CheckpointError:
        return key, str(run), 0
    return key, str(path), path.stat().st_mtime_ns


def basis_of(
    settings: EvaluationSettings, classifier: ClassifierInfo, count: int, test_digest: str
) -> Basis:
    """What every stage's numbers depend on besides the run: `test_digest` is the test split's
    (real_features.split_digest), which the classifier's fingerprint does not cover."""
    return _as_json(settings), _as_json(classifier), count, test_digest


@dataclass
class StageResult:
    """What one stage added to a run's results: metrics.json sections, grids, and the samples'
    features (the dial sweep's point at the dial's current value)."""

    metrics: dict
    grids: dict[str, LabelledGrid] = field(default_factory=dict)
    features: Features | None = None


class FinishedStages:
    """Results of finished stages by (run snapshot, stage), all under one basis: another basis
    (Samples, IWAE k, classifier or sample count changed) forgets them.

    `plan` says which runs (by snapshot, with their labels) take part in each stage of the
    evaluation under way, so the app can say which stages are finished and which are not.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._basis: Basis | None = None
        self._results: dict[tuple[RunSnapshot, str], StageResult] = {}
        self._plan: dict[str, dict[RunSnapshot, str]] = {}
        self._labels: dict[RunSnapshot, str] = {NO_RUN: ""}  # the runs' labels when planned
        self._planned: set[tuple[RunSnapshot, str]] = set()  # (a GAN has no likelihood stage)
        self._reused: dict[str, list[str]] = {}  # by stage: labels of the runs kept at the plan

    def start(self) -> None:
        """A new evaluation begins: it has no plan until it knows its runs."""
        with self._lock:
            self._plan, self._reused = {}, {}

    def use(self, basis: Basis, plan: dict[str, dict[RunSnapshot, str]]) -> None:
        """Plan an evaluation on `basis` (results of another basis go): `plan` gives, by stage,
        the runs that take part in it with their labels."""
        with self._lock:
            if basis != self._basis:
                self._results.clear()
                self._planned.clear()
                self._basis = basis
            self._plan = plan
            for stage, runs in plan.items():
                self._labels.update(runs)
                self._planned.update((run, stage) for run in runs)
            self._reused = {
                stage: [label for run, label in runs.items() if (run, stage) in self._results]
                for stage, runs in plan.items()
            }

    def reused(self) -> dict[str, list[str]]:
        """By stage of the plan: the labels of the runs whose part was kept from before."""
        with self._lock:
            return {stage: labels for stage, labels in self._reused.items() if labels}

    def clear(self) -> None:
        """Forget everything (a finished evaluation holds it all)."""
        with self._lock:
            self._results.clear()
            self._planned.clear()
            self._basis, self._plan, self._reused = None, {}, {}

    def get(self, run: RunSnapshot, stage: str) -> StageResult | None:
        """The kept result of `run`'s `stage`, if any."""
        with self._lock:
            return self._results.get((run, stage))

    def result(
        self, run: RunSnapshot, stage: str, compute: Callable[[], StageResult]
    ) -> StageResult:
        """`run`'s `stage` as kept, else computed now and kept (a cancel raises out of
        `compute`, so only whole stages are kept)."""
        kept = self.get(run, stage)
        if kept is not None:
            return kept
        result = compute()
        with self._lock:
            self._results[(run, stage)] = result
        return result

    def progress(self) -> dict[str, tuple[list[str], list[str]]]:
        """By stage of the plan: the labels of the runs whose part is finished, and of those
        whose part is not (for the calibration rows, [''] in one or the other)."""
        with self._lock:
            return {
                stage: (
                    [label for run, label in runs.items() if (run, stage) in self._results],
                    [label for run, label in runs.items() if (run, stage) not in self._results],
                )
                for stage, runs in self._plan.items()
            }

    def held(self, runs: list[RunSnapshot], settings: EvaluationSettings) -> dict[str, list[str]]:
        """By stage: the labels of `runs` (and '' for the calibration rows) whose results are
        kept for `settings`, the sample count aside (with a slow sampler's CPU cap only the
        evaluation finds it), in the order they finished."""
        wanted = {*runs, NO_RUN}
        held: dict[str, list[str]] = {}
        with self._lock:
            if self._basis is None or self._basis[0] != _as_json(settings):
                return held
            for run, stage in self._results:
                if run in wanted and (run, stage) in self._planned:
                    held.setdefault(stage, []).append(self._labels.get(run, run[0]))
        return held


def _as_json(part: EvaluationSettings | ClassifierInfo) -> str:
    return json.dumps(asdict(part), sort_keys=True)
