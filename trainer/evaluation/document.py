"""metrics.json: every number of an evaluation with what is needed to interpret it, by run."""

from __future__ import annotations

import json
import platform
import time
from dataclasses import asdict
from pathlib import Path

import numpy as np
import torch

import trainer
from trainer.common.files import atomic_write_text
from trainer.data.fashion_mnist import FashionMNIST
from trainer.evaluation.comparison import COST_SECTION
from trainer.evaluation.results import Evaluation, EvaluationSettings, RunEvaluation
from trainer.metrics.classifier import ClassifierInfo
from trainer.runs.metrics_json import CALIBRATION, PATHS, RUNS, SWEEP

NOTES = {
    "settings.interpolation": (
        "how a pair drawn at random (nothing pinned for its role) and a pair given on the "
        "command line are joined; pins from the app keep their own method"
    ),
    f"runs.*.{PATHS}": (
        "each interpolation strip of the run as drawn: its role, its ends (a and b: test-image "
        "indices, or seeds of latent draws, per source), method, steps and whether it is a "
        "random pair"
    ),
}


def metrics_document(
    runs: dict[str, RunEvaluation],
    calibration: dict,
    data: FashionMNIST,
    classifier: ClassifierInfo,
    settings: EvaluationSettings,
    sample_count: int,
    seconds: float,
) -> dict:
    """The contents of metrics.json."""
    import torchmetrics
    import torchvision

    return {
        "fmgen_version": trainer.__version__,
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        # where the runs were evaluated (each run's learner); the classifier and metrics: CPU
        "device": ", ".join(sorted({run.metrics[COST_SECTION]["device"] for run in runs.values()}))
        or "cpu",
        "versions": {
            "python": platform.python_version(),
            "torch": torch.__version__,
            "torchvision": torchvision.__version__,
            "numpy": np.__version__,
            "torchmetrics": torchmetrics.__version__,
        },
        # the evaluation's data; what each run trained on is in its own section
        "data": {"source": data.source, "train_size": len(data.train), "test_size": len(data.test)},
        "classifier": asdict(classifier),
        "settings": asdict(settings),
        # Read as a setting of every strip, "interpolation": "slerp" contradicted lerp pins
        # (trial defect 12): the file says what it means, and each run's "paths" how it was drawn.
        "notes": NOTES,
        "sample_count": sample_count,  # images behind every row of the sample table
        CALIBRATION: calibration,
        "seconds": round(seconds, 1),
        RUNS: {
            key: {**run.facts.to_dict(), **run.metrics, PATHS: [p.record() for p in run.paths]}
            for key, run in runs.items()
        },
    }


def write_metrics(evaluation: Evaluation, out_dir: Path | None = None) -> list[Path]:
    """metrics.json into each run folder (its own run's section) and into `out_dir` (all; only
    it has the sweep section, which is about the runs together)."""
    shared = {k: v for k, v in evaluation.metrics.items() if k not in (RUNS, SWEEP)}
    written = []
    for key, section in evaluation.metrics[RUNS].items():
        path = Path(section["run_dir"]) / "metrics.json"
        atomic_write_text(path, json.dumps({**shared, RUNS: {key: section}}, indent=2))
        written.append(path)
    if out_dir is not None:
        path = Path(out_dir) / "metrics.json"
        atomic_write_text(path, json.dumps(evaluation.metrics, indent=2))
        written.append(path)
    return written
