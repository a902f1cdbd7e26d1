"""What one report is made of, as options: runs, work, interpolations, page and authors.

fmgen-report parses its command line into `ReportOptions`; the app builds the same object; the
page's "Reproduce:" line is `command_line(options)`, which parses back to the same page.
"""

from __future__ import annotations

import argparse
import shlex
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from trainer.common.errors import FmgenError
from trainer.data.fashion_mnist import CLASSES
from trainer.evaluation.pictures import BETWEEN_KIND, WITHIN_KIND, PathPicture
from trainer.evaluation.results import EvaluationSettings, RunEvaluation
from trainer.registry import ModelSpec
from trainer.runs.pins import METHODS, Pin

MAX_ON_PAGE = 4  # runs whose curves, grids and strips fit on the page
PAIR_OPTIONS = ("within", "between", "latent-pair")  # encoder models take the first two
OVERSHOOT = "overshoot"


@dataclass(frozen=True)
class PairOption:
    """One --within/--between/--latent-pair value: [RUN:]A,B[/METHOD][/STEPS][/overshoot]."""

    option: str
    a: int  # test-set index, or the seed of a latent draw (--latent-pair)
    b: int
    run: str | None = None  # a run's folder name; None: every run the option applies to
    method: str | None = None  # None: --interpolation
    steps: int | None = None  # None: --steps
    overshoot: bool = False

    def text(self) -> str:
        """The option's value as typed."""
        value = f"{self.run}:" if self.run else ""
        value += f"{self.a},{self.b}"
        value += f"/{self.method}" if self.method else ""
        value += f"/{self.steps}" if self.steps else ""
        return value + (f"/{OVERSHOOT}" if self.overshoot else "")

    def applies_to(self, key: str, spec: ModelSpec) -> bool:
        """True when this pair is drawn for run `key` of model `spec`."""
        fits = (self.option != "latent-pair") == spec.has_encoder
        return fits and self.run in (None, key)


def parse_pair(option: str, text: str) -> PairOption:
    """Parse one value of --within, --between or --latent-pair (argparse's type)."""
    run, _, rest = text.rpartition(":")
    pair, *extras = rest.split("/")
    try:
        a, b = (int(part) for part in pair.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not two numbers like 12,345") from None
    if min(a, b) < 0:
        raise argparse.ArgumentTypeError(f"{text!r}: indices and seeds are 0 or more")
    method = next((e for e in extras if e in METHODS), None)
    steps = next((int(e) for e in extras if e.isdigit()), None)
    unknown = [e for e in extras if e not in (*METHODS, OVERSHOOT) and not e.isdigit()]
    if unknown or (steps is not None and steps < 2):
        raise argparse.ArgumentTypeError(
            f"{text!r}: after the pair come /lerp or /slerp, /STEPS (2 or more), /overshoot"
        )
    return PairOption(option, a, b, run or None, method, steps, OVERSHOOT in extras)


@dataclass(frozen=True)
class ReportOptions:
    """Everything fmgen-report takes; `command_line` writes it back."""

    runs: tuple[Path, ...]
    data_dir: Path | None = None
    samples: int = EvaluationSettings.samples
    iwae_k: int = EvaluationSettings.iwae_k
    seed: int = EvaluationSettings.seed
    pairs: tuple[PairOption, ...] = ()
    interpolation: str = EvaluationSettings.interpolation
    steps: int = EvaluationSettings.steps
    device: str = EvaluationSettings.device
    slow_on_cpu: int = EvaluationSettings.slow_on_cpu
    dial_sweep: bool = EvaluationSettings.dial_sweep  # sweep the sampler dials of models with any
    on_page: tuple[str, ...] = ()  # run folder names; empty: the first MAX_ON_PAGE runs
    title: str = ""
    authors: tuple[str, ...] = ()
    course: str = ""
    comment: str = ""
    pinned: bool = False  # also draw the pins the app stored for these runs
    # the group's own description per run key (absent: the one made from the run's facts)
    descriptions: tuple[tuple[str, str], ...] = ()
    appendix: bool = False  # a second page with every table and number

    def settings(self) -> EvaluationSettings:
        """The evaluation's settings."""
        return EvaluationSettings(
            samples=self.samples,
            iwae_k=self.iwae_k,
            seed=self.seed,
            interpolation=self.interpolation,
            steps=self.steps,
            device=self.device,
            slow_on_cpu=self.slow_on_cpu,
            dial_sweep=self.dial_sweep,
        )

    def pins(self, specs: dict[str, ModelSpec]) -> dict[str, list[Pin]]:
        """The pairs as pins per run key: per option, the first is the main example."""
        pins: dict[str, list[Pin]] = {}
        for key, spec in specs.items():
            mine = [pair for pair in self.pairs if pair.applies_to(key, spec)]
            pins[key] = [self._pin(key, pair, mine) for pair in mine]
        return pins

    def _pin(self, key: str, pair: PairOption, mine: list[PairOption]) -> Pin:
        first = next(p for p in mine if p.option == pair.option) is pair
        role = {"within": "within", "between": "between"}.get(pair.option, "between")
        return Pin(
            key,
            role if first else "extra",
            "latent" if pair.option == "latent-pair" else "test",
            pair.a,
            pair.b,
            pair.method or self.interpolation,
            pair.overshoot,
            pair.steps or self.steps,
        )

    def check(self, specs: dict[str, ModelSpec], test_labels: np.ndarray) -> None:
        """Refuse pairs that name no run, an index past the test set, or the wrong classes."""
        for pair in self.pairs:
            flag = f"--{pair.option} {pair.text()}"
            if pair.run is not None and pair.run not in specs:
                raise FmgenError(f"{flag}: no run {pair.run!r}; the runs: {', '.join(specs)}")
            if not any(pair.applies_to(key, spec) for key, spec in specs.items()):
                needs = "without" if pair.option == "latent-pair" else "with"
                which = f"the run {pair.run} is not one" if pair.run else "no run is one"
                raise FmgenError(f"{flag}: applies to models {needs} an encoder; {which}")
            if pair.option != "latent-pair":
                _check_classes(flag, pair, test_labels)
        unknown = [run for run in self.on_page if run not in specs]
        if unknown:
            raise FmgenError(f"--on-page {unknown[0]}: no such run; the runs: {', '.join(specs)}")
        if len(self.on_page) > MAX_ON_PAGE:
            raise FmgenError(f"--on-page: at most {MAX_ON_PAGE} runs fit on the page")

    def page_runs(self, keys: list[str]) -> list[str]:
        """The runs whose figures go on the page, in the order of `keys`."""
        chosen = [key for key in keys if key in self.on_page] if self.on_page else keys
        return chosen[:MAX_ON_PAGE]


def _check_classes(flag: str, pair: PairOption, labels: np.ndarray) -> None:
    for index in (pair.a, pair.b):
        if index >= len(labels):
            raise FmgenError(
                f"{flag}: test image {index} does not exist (the test set has "
                f"{len(labels):,} images, indices 0 to {len(labels) - 1:,})"
            )
    first, second = (CLASSES[int(labels[i])] for i in (pair.a, pair.b))
    if pair.option == "within" and first != second:
        raise FmgenError(
            f"{flag}: test image {pair.a} is a {first} but {pair.b} is a {second}; a within "
            "pair needs two images of one class (use --between for two classes)"
        )
    if pair.option == "between" and first == second:
        raise FmgenError(
            f"{flag}: test images {pair.a} and {pair.b} are both {first}; a between pair needs "
            "two classes (use --within for one class)"
        )


def command_line(options: ReportOptions, program: str = "fmgen-report") -> str:
    """The command that makes this report again (its options only where not the default)."""
    defaults = ReportOptions(runs=())
    words = [program]
    for run in options.runs:
        words += ["--run", str(run)]
    if options.data_dir:
        words += ["--data-dir", str(options.data_dir)]
    for name in ("samples", "iwae_k", "seed", "interpolation", "steps"):
        words += [f"--{name.replace('_', '-')}", str(getattr(options, name))]
    for pair in options.pairs:
        words += [f"--{pair.option}", pair.text()]
    if len(options.runs) > MAX_ON_PAGE:
        for run in options.on_page:
            words += ["--on-page", run]
    # The comment and the descriptions are the group's prose: printed once, not in the command.
    for name in ("device", "slow_on_cpu", "title", "course"):
        if getattr(options, name) != getattr(defaults, name):
            words += [f"--{name.replace('_', '-')}", str(getattr(options, name))]
    for author in options.authors:
        words += ["--author", author]
    if not options.dial_sweep:
        words.append("--no-dial-sweep")
    if options.appendix:
        words.append("--appendix")
    return shlex.join(words)


def _drawn_pair(path: PathPicture, options: ReportOptions) -> PairOption:
    pin = path.pin
    option = {WITHIN_KIND: "within", BETWEEN_KIND: "between"}.get(path.kind, "latent-pair")
    method = pin.method if pin.method != options.interpolation else None
    steps = pin.steps if pin.steps != options.steps else None
    return PairOption(option, pin.a, pin.b, None, method, steps, pin.overshoot)


def drawn_pairs(runs: dict[str, RunEvaluation], options: ReportOptions) -> tuple[PairOption, ...]:
    """The pair options that draw exactly the strips of `runs` again.

    A run whose strips are all seeded random pairs needs none (--seed draws them again); runs
    of one kind (with or without an encoder) that share their pairs get them unqualified.
    """
    per_run = {
        key: []
        if all(p.random for p in run.paths)
        else [_drawn_pair(p, options) for p in run.paths]
        for key, run in runs.items()
    }
    pairs: list[PairOption] = []
    for encoder in (True, False):
        keys = [key for key, run in runs.items() if run.spec.has_encoder == encoder]
        lists = [per_run[key] for key in keys]
        if lists and all(pairs_ == lists[0] for pairs_ in lists):
            pairs += lists[0]
        else:
            pairs += [replace(pair, run=key) for key in keys for pair in per_run[key]]
    return tuple(pairs)
