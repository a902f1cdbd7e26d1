"""The dial sweep: each sampler knob of a model (ModelSpec.dials) turned through its sweep values,
the same samples measured at each (FID, precision, recall and, for a conditional model, the
share the classifier labels as the class asked for), so one figure shows the trade-off
(classifier-free guidance, Ho & Salimans 2022, Fig. 4; BigGAN's truncation, Brock et al. 2019,
Fig. 2).

`dial_sweeps` measures; `read_dial_sweeps` reads a run's section back from metrics.json or the
app's kept evaluation, which are untrusted files: whatever is not well formed is left out.
"""

from __future__ import annotations

import contextlib
import math
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np

from trainer.common import keys
from trainer.common.errors import raise_if_cancelled
from trainer.learners import Learner
from trainer.metrics.classifier import FashionClassifier
from trainer.metrics.distribution import Features, compare, describe
from trainer.registry import SamplingDial
from trainer.runs.metrics_json import RUNS
from trainer.sampling.samples import generate

DIAL_SWEEPS = "dial_sweeps"  # a run's section of metrics.json: its dials' sweeps, by dial name
AS_ASKED = keys.register_metric(
    keys.MetricInfo("as_asked", "as asked", "share labelled as the class asked for", False)
).key
POINT_METRICS = (keys.FID, keys.PRECISION, keys.RECALL)  # every point has these
VALUE = "value"  # a point's dial value; None: the dial's 'off' setting


@contextlib.contextmanager
def dial_turned(learner: Learner, name: str, value: float | None) -> Iterator[None]:
    """`learner` samples with dial `name` at `value` inside the block; it is restored after."""
    before = learner.dials[name]
    learner.dials[name] = value
    try:
        yield
    finally:
        learner.dials[name] = before


@dataclass(frozen=True)
class SweepJob:
    """What every point of a sweep shares: the samples' count, seed and classes, the test
    set's features and the classifier that judges them."""

    count: int
    seed: int
    labels: np.ndarray | None  # the class asked of each sample (conditional models)
    real: Features
    classifier: FashionClassifier
    pr_k: int
    cancel: threading.Event | None = None
    # the features of the sample table's own samples (these latents and classes at the dials'
    # current values): a point at a dial's current value reuses them rather than sample again
    current: Features | None = None


def dial_sweeps(
    learner: Learner,
    dials: tuple[SamplingDial, ...],
    job: SweepJob,
    progress: Callable[[float], None],
) -> dict:
    """metrics.json's DIAL_SWEEPS section: per dial, its label, 'off' word and points in sweep
    order. Every point draws the same latents (the same seed) and classes, so the points differ
    only in the dial."""
    total = max(sum(len(dial.sweep) for dial in dials), 1)
    done = 0
    section = {}
    for dial in dials:
        points = []
        for value in dial.sweep:
            raise_if_cancelled(job.cancel)
            share = done / total
            features = job.current if value == learner.dials[dial.name] else None
            if features is None:
                with dial_turned(learner, dial.name, value):
                    samples = generate(
                        learner,
                        job.count,
                        job.seed,
                        job.labels,
                        job.cancel,
                        lambda f, share=share: progress(share + f / total),
                    )
                features = describe(job.classifier, samples, job.cancel)
            points.append(_point(value, features, job))
            done += 1
            progress(done / total)
        section[dial.name] = {"label": dial.label, "off": dial.off, "points": points}
    return section


def _point(value: float | None, features: Features, job: SweepJob) -> dict:
    """One dial value's numbers against the test set."""
    measured = compare(job.real, features, job.pr_k, job.cancel, job.seed)
    point = {VALUE: value, **{key: measured[key] for key in POINT_METRICS}}
    if job.labels is not None:
        predicted = features.probabilities.argmax(dim=1).numpy()
        point[AS_ASKED] = float(np.mean(predicted == job.labels))
    return point


@dataclass(frozen=True)
class DialSweep:
    """One dial's sweep as read back: its label, its 'off' word and its points."""

    name: str
    label: str
    off: str
    points: tuple[dict, ...]  # VALUE and POINT_METRICS (and AS_ASKED), all finite numbers

    @property
    def metrics(self) -> tuple[str, ...]:
        """The metrics every point has, in the figure's order."""
        extra = (AS_ASKED,) if all(AS_ASKED in p for p in self.points) else ()
        return POINT_METRICS + extra


def value_words(value: float | None, off: str) -> str:
    """A dial value as a caption prints it: '2', '0.25', or the dial's 'off' word."""
    return (off or "off") if value is None else keys.format_number(value)


def read_dial_sweeps(run_metrics: object) -> list[DialSweep]:
    """The dial sweeps of a run's metrics (from a file: untrusted); malformed ones left out."""
    section = run_metrics.get(DIAL_SWEEPS) if isinstance(run_metrics, dict) else None
    if not isinstance(section, dict):
        return []
    sweeps = []
    for name, sweep in section.items():
        if not isinstance(sweep, dict) or not isinstance(sweep.get("points"), list):
            continue
        points = tuple(p for p in sweep["points"] if _well_formed_point(p))
        label, off = sweep.get("label"), sweep.get("off", "")
        if points and isinstance(label, str) and isinstance(off, str):
            sweeps.append(DialSweep(str(name), label, off, points))
    return sweeps


def sweep_lines(document: dict) -> list[str]:
    """The dial sweeps of an evaluation's metrics.json as fmgen-evaluate prints them: a line
    per run and dial, 'DToy, Brightness b: 0.25: FID 6.03, precision 0.97, ...; 0.5: ...'."""
    lines = []
    for key, section in document.get(RUNS, {}).items():
        label = section.get("label", key) if isinstance(section, dict) else key
        for sweep in read_dial_sweeps(section):
            points = "; ".join(
                f"{value_words(p[VALUE], sweep.off)}: "
                + ", ".join(
                    f"{keys.metric_label(m)} {keys.format_number(p[m])}" for m in sweep.metrics
                )
                for p in sweep.points
            )
            lines.append(f"{label}, {sweep.label}: {points}")
    return lines


def _finite(value: object) -> bool:
    number = isinstance(value, (int, float)) and not isinstance(value, bool)
    return number and math.isfinite(value)


def _well_formed_point(point: object) -> bool:
    if not isinstance(point, dict) or not (point.get(VALUE) is None or _finite(point[VALUE])):
        return False
    return all(_finite(point.get(key)) for key in POINT_METRICS) and (
        AS_ASKED not in point or _finite(point[AS_ASKED])
    )
