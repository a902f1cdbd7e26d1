"""What each run actually was: its own data size, epochs and steps, its label, its loss trend.

Everything here comes from the run folder (config, checkpoint position, metrics.jsonl), never
from the data the evaluation loaded: a run trained on a 1,000-image subset says so.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields

import numpy as np

from trainer.common.events import EpochEnded, Event, StepLogged
from trainer.common.keys import METRICS
from trainer.common.words import epochs_phrase, plural
from trainer.config.settings import RunConfig, field_label
from trainer.registry import ModelSpec, get_model
from trainer.runs.checkpoint import Checkpoint
from trainer.runs.folder import RunFolder
from trainer.runs.history import event_from_record
from trainer.runs.pins import run_key
from trainer.runs.snapshots import run_folder_of

START_RECORD = "start"  # metrics.jsonl record the loop writes when training (re)starts
# Settings that never tell runs apart in a label: where and how often it logged, and the
# planned epochs (the table says how long each run actually trained).
NOT_DISTINGUISHING = ("device", "log_every", "epochs")
MIN_TREND_POINTS = 4  # logged points needed to judge whether the loss is still falling
PROPER_NAMES = ("Adam",)  # first words of setting labels that keep their capital


@dataclass(frozen=True)
class RunFacts:
    """One run's identity and its training, as trained."""

    key: str  # the run folder's name (trainer.runs.pins.run_key)
    label: str  # model label plus what tells it apart from the other runs, e.g. 'VAE (...)'
    model: str
    run_dir: str
    config: dict
    parameters: int
    train_size: int | None  # None: an old run folder that did not record it
    steps_per_epoch: int | None
    epochs_planned: int
    epochs_completed: int
    epochs_trained: float  # fractional when stopped mid-epoch
    steps: int
    loss_fall: float | None  # relative fall of the training loss over the last half epoch

    @property
    def finished(self) -> bool:
        """All planned epochs were trained."""
        return self.epochs_trained >= self.epochs_planned

    def to_dict(self) -> dict:
        """Plain values for metrics.json."""
        return {**asdict(self), "seed": self.config["seed"], "finished": self.finished}

    @classmethod
    def from_dict(cls, values: dict) -> RunFacts:
        """The facts back from a run's section of metrics.json (other keys are ignored)."""
        return cls(**{f.name: values[f.name] for f in fields(cls)})


def read_run_facts(checkpoint: Checkpoint, parameters: int, label: str) -> RunFacts:
    """The facts of the run whose checkpoint is `checkpoint` (damaged records are skipped)."""
    folder = run_folder_of(checkpoint.path)
    # Up to the checkpoint's step: a snapshot is its run as it was then, not as it went on.
    records = RunFolder(folder).read_metrics_until(checkpoint.step)
    events = [e for e in map(event_from_record, records) if e is not None]
    starts = [start for start in map(_start_record, records) if start is not None]
    train_size, per_epoch = starts[-1] if starts else (None, _steps_per_epoch(events))
    fraction = checkpoint.batch_in_epoch / per_epoch if per_epoch else 0.0
    spec = get_model(checkpoint.config.model)
    return RunFacts(
        key=run_key(folder),
        label=label,
        model=spec.name,
        run_dir=str(folder),
        config=checkpoint.config.to_dict(),
        parameters=parameters,
        train_size=train_size,
        steps_per_epoch=per_epoch,
        epochs_planned=checkpoint.config.epochs,
        epochs_completed=checkpoint.epoch,
        epochs_trained=checkpoint.epoch + fraction,
        steps=checkpoint.step,
        loss_fall=_loss_fall(spec, events, per_epoch),
    )


def _start_record(record: dict) -> tuple[int, int] | None:
    """(train_size, steps_per_epoch) of a start record; None for other or damaged records."""
    sizes = (record.get("train_size"), record.get("steps_per_epoch"))
    if record.get("type") != START_RECORD or not all(
        isinstance(n, int) and not isinstance(n, bool) and n > 0 for n in sizes
    ):
        return None
    return sizes


def _steps_per_epoch(events: list[Event]) -> int | None:
    """Older run folders: the step count at the end of the first epoch."""
    first = next((e for e in events if isinstance(e, EpochEnded) and e.epoch == 1), None)
    return first.step if first and first.step > 0 else None


def training_loss_key(spec: ModelSpec) -> str | None:
    """The first logged step metric that should go down (None: no such loss, e.g. a GAN's)."""
    return next((k for k in spec.step_metrics if k in METRICS and METRICS[k].lower_is_better), None)


def _loss_fall(spec: ModelSpec, events: list[Event], per_epoch: int | None) -> float | None:
    """(mean of the first half - mean of the second half) / second half, over the last epoch."""
    key = training_loss_key(spec)
    points = [
        (e.step, e.losses[key]) for e in events if isinstance(e, StepLogged) and key in e.losses
    ]
    if not points:
        return None
    steps, values = np.array(points, dtype=float).T
    window = per_epoch or steps[-1]
    recent = values[steps > steps[-1] - window]
    if len(recent) < MIN_TREND_POINTS:
        return None
    half = len(recent) // 2
    before, after = recent[:half].mean(), recent[half:].mean()
    return float((before - after) / abs(after)) if after and math.isfinite(after) else None


def run_labels(configs: dict[str, RunConfig]) -> dict[str, str]:
    """A display label per run: the model's label, plus the settings that differ between runs
    of the same model (e.g. 'VAE (KL weight beta 4)'); the folder name when nothing differs."""
    labels = {}
    for key, config in configs.items():
        spec = get_model(config.model)
        same_model = [c for c in configs.values() if c.model == config.model]
        if len(same_model) == 1:
            labels[key] = spec.label
            continue
        differing = [
            f.name
            for f in fields(RunConfig)
            if f.name not in NOT_DISTINGUISHING
            and len({repr(getattr(c, f.name)) for c in same_model}) > 1
        ]
        settings = ", ".join(setting_phrase(name, getattr(config, name)) for name in differing)
        labels[key] = f"{spec.label} ({settings or key})"
    return labels


def setting_label(name: str) -> str:
    """A setting's label inside a sentence: 'KL weight beta', 'latent size', 'Adam betas'."""
    label = field_label(name)
    first = label.split()[0]
    if first not in PROPER_NAMES and not first[1:2].isupper():  # 'KL', 'Adam' stay capitals
        label = label[0].lower() + label[1:]
    return label


def setting_phrase(name: str, value: object) -> str:
    """'KL weight beta = 4', 'latent size = 16', 'Adam betas (0.5, 0.999)'."""
    label = setting_label(name)
    if isinstance(value, tuple):
        return f"{label} ({', '.join(f'{v:g}' for v in value)})"
    return f"{label} = {value:g}" if isinstance(value, float) else f"{label} = {value}"


def option_phrases(config: dict) -> list[str]:
    """The model's own settings (its registry options) in words; Adam's betas go with Adam."""
    parts = []
    for name in get_model(config["model"]).options:
        value = config[name]
        if name == "adam_betas" or value is False:
            continue
        parts.append(field_label(name).lower() if value is True else setting_phrase(name, value))
    return parts


def trained_phrase(facts: RunFacts) -> str:
    """'10 epochs (4,690 steps)'; 'stopped after 1.9 epochs, step 882 (10 planned)'."""
    trained, planned = epochs_phrase(facts.epochs_trained), f"{facts.epochs_planned:,} planned"
    steps = plural(facts.steps, "step")
    if facts.finished:
        return f"{trained} ({steps})"
    if facts.epochs_trained != facts.epochs_completed:  # stopped inside an epoch
        return f"stopped after {trained}, step {facts.steps:,} ({planned})"
    return f"stopped after {trained} ({steps}; {planned})"


def data_phrase(facts: RunFacts) -> str:
    """'60,000 images' or, for old folders, what is known."""
    if facts.train_size is not None:
        return plural(facts.train_size, "image")
    limit = facts.config.get("limit")
    return plural(limit, "image") + " (subset)" if limit else "an unrecorded number of images"
