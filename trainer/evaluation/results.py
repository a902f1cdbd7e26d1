"""What an evaluation produces: its settings, each run's numbers and pictures, and the whole
(apart from the metrics.json writer, which reads them, and from the evaluation that makes them)."""

from __future__ import annotations

from dataclasses import dataclass, field

from trainer.evaluation.pictures import LabelledGrid, PathPicture
from trainer.registry import ModelSpec, get_model
from trainer.runs.facts import RunFacts


@dataclass(frozen=True)
class EvaluationSettings:
    """How much work the evaluation does (defaults: a few minutes on two CPU cores)."""

    samples: int = 10000  # images per row of the sample table (generated, real or noise)
    iwae_k: int = 100  # importance samples per test image for the IWAE bound
    pr_k: int = 3  # neighbours for the precision/recall manifolds
    seed: int = 0
    interpolation: str = "slerp"  # of random pairs and of command-line pins
    steps: int = 9
    device: str = "auto"  # auto: each run on the GPU it trained on, when this machine has one
    # every row's samples when a multi-step sampler (the DDPM's 50 DDIM steps: ~0.25 s a sample
    # on two cores, 40 minutes for 10,000) runs on the CPU; 0: no cap
    slow_on_cpu: int = 2000
    # sweep each sampler dial (ModelSpec.dials) through its values: a full sample-metrics pass
    # per value, so it multiplies the samples' time; False skips it
    dial_sweep: bool = True


@dataclass
class RunEvaluation:
    """One run's facts, numbers and pictures."""

    facts: RunFacts
    metrics: dict  # {'samples': ..., 'test': ... (encoder models)}
    grids: dict[str, LabelledGrid] = field(default_factory=dict)
    paths: list[PathPicture] = field(default_factory=list)

    @property
    def spec(self) -> ModelSpec:
        """The run's registry entry."""
        return get_model(self.facts.model)


@dataclass
class Evaluation:
    """Everything the report shows; `metrics` is what metrics.json holds."""

    metrics: dict
    runs: dict[str, RunEvaluation]  # by run key, in the order the runs were given
