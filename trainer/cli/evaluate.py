"""fmgen-evaluate: the metrics of any number of trained runs, into metrics.json (no window)."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from functools import partial
from pathlib import Path

from trainer.cli.arguments import (
    data_dir_problem,
    device_name,
    output_folder,
    run_path,
    setting,
    write_problem,
)
from trainer.common.errors import FmgenError
from trainer.config.device import resolve_device
from trainer.config.values import EVALUATION_LABELS, EVALUATION_RANGES
from trainer.evaluation.dial_sweep import sweep_lines
from trainer.evaluation.document import write_metrics
from trainer.evaluation.evaluate import STAGES
from trainer.evaluation.results import Evaluation
from trainer.report.evaluating import evaluate_options
from trainer.report.interpret import interpret
from trainer.report.options import MAX_ON_PAGE, PAIR_OPTIONS, ReportOptions, parse_pair
from trainer.runs.checkpoint import resolve_checkpoint_path
from trainer.runs.pins import METHODS, PinStore
from trainer.runs.snapshots import run_folder_of


def add_evaluation_arguments(parser: argparse.ArgumentParser) -> None:
    """The options fmgen-evaluate and fmgen-report share."""
    defaults = ReportOptions(runs=())
    parser.add_argument(
        "--run",
        dest="runs",
        action="append",
        type=run_path,
        default=[],
        metavar="RUN_DIR",
        help="a run folder (or checkpoint) of any model; repeat for more runs",
    )
    for alias in ("vae", "gan"):
        parser.add_argument(
            f"--{alias}", dest="runs", action="append", type=run_path, help="the same as --run"
        )
    parser.add_argument("--out", type=output_folder, help="folder for the combined metrics.json")
    parser.add_argument("--data-dir", type=Path, help="folder with the Fashion-MNIST files")
    parser.add_argument(
        "--samples",
        type=setting("samples"),
        default=defaults.samples,
        help=f"{EVALUATION_LABELS['samples'][1]} ({defaults.samples}; {_bounds('samples')})",
    )
    parser.add_argument(
        "--iwae-k",
        type=setting("iwae_k"),
        default=defaults.iwae_k,
        help=f"{EVALUATION_LABELS['iwae_k'][1]} ({defaults.iwae_k}; {_bounds('iwae_k')})",
    )
    parser.add_argument("--seed", type=setting("seed"), default=defaults.seed)
    parser.add_argument(
        "--slow-on-cpu",
        type=setting("slow_on_cpu"),
        default=defaults.slow_on_cpu,
        metavar="N",
        help="samples per row when a multi-step sampler (the DDPM's) runs on the CPU "
        f"({defaults.slow_on_cpu}; 0: --samples as given; else {_bounds('slow_on_cpu')})",
    )
    parser.add_argument(
        "--no-dial-sweep",
        dest="dial_sweep",
        action="store_false",
        help="skip the sweep of a model's sampler dials (guidance, truncation): it measures "
        "the samples once per dial value, which multiplies their time",
    )
    parser.add_argument(
        "--device",
        type=device_name,
        default=defaults.device,
        help="auto (each run on the GPU it trained on, when this machine has CUDA; else the "
        "CPU), cpu, cuda or cuda:N",
    )


def add_report_arguments(parser: argparse.ArgumentParser) -> None:
    """fmgen-report's own options: interpolations, the page's runs, who hands it in."""
    defaults = ReportOptions(runs=())
    helps = {
        "within": "test indices of two images of one class (encoder models)",
        "between": "test indices of two images of two classes (encoder models)",
        "latent-pair": "seeds of two latent draws (models without an encoder)",
    }
    for option in PAIR_OPTIONS:
        parser.add_argument(
            f"--{option}",
            dest="pairs",
            action="append",
            default=[],
            type=partial(parse_pair, option),
            metavar="[RUN:]A,B",
            help=f"{helps[option]}; repeat: the first is the main example, later ones extras",
        )
    parser.add_argument("--interpolation", choices=METHODS, default=defaults.interpolation)
    parser.add_argument(
        "--steps",
        type=setting("steps"),
        default=defaults.steps,
        help=f"images per strip ({defaults.steps}; {_bounds('steps')})",
    )
    parser.add_argument(
        "--pinned", action="store_true", help="also draw the interpolations pinned in the app"
    )
    parser.add_argument(
        "--on-page",
        action="append",
        default=[],
        metavar="RUN",
        help="a run (folder name) whose figures go on the page (up to 4; default: the first 4)",
    )
    parser.add_argument("--title", default="", help="the report's title")
    parser.add_argument("--author", dest="authors", action="append", default=[])
    parser.add_argument("--course", default="")
    parser.add_argument("--comment", default="", help="a free-text remark printed on the page")
    parser.add_argument(
        "--appendix", action="store_true", help="add a second page with every table and number"
    )


def _bounds(name: str) -> str:
    low, high, protects = EVALUATION_RANGES[name]
    return f"{low}..{high}: {protects}"


def parse_options(
    parser: argparse.ArgumentParser, argv: Sequence[str] | None
) -> tuple[argparse.Namespace, ReportOptions]:
    """Parse and check fmgen-evaluate's or fmgen-report's arguments before any work: a refused
    input exits 2 with one line (argparse's convention)."""
    args = parser.parse_args(argv)
    if not args.runs:
        parser.error("name at least one run: --run RUN_DIR (repeat for more runs)")
    for run in args.runs:  # each run folder gets its own metrics.json
        folder = run_folder_of(resolve_checkpoint_path(run))
        problem = write_problem(folder)
        if problem:
            parser.error(f"--run {run}: {problem}, so its metrics.json cannot be written")
    problem = data_dir_problem(args.data_dir)
    if problem:
        parser.error(problem)
    if args.device != "auto":  # auto: each run where it trained, or the CPU
        try:
            resolve_device(args.device)
        except FmgenError as exc:
            parser.error(str(exc))
    if len(getattr(args, "on_page", ())) > MAX_ON_PAGE:
        parser.error(f"--on-page: at most {MAX_ON_PAGE} runs fit on the page")
    return args, options_from_args(args)


def options_from_args(args: argparse.Namespace) -> ReportOptions:
    """The parsed command line as ReportOptions (report-only options absent for evaluate)."""
    return ReportOptions(
        runs=tuple(args.runs),
        data_dir=args.data_dir,
        samples=args.samples,
        iwae_k=args.iwae_k,
        seed=args.seed,
        device=args.device,
        slow_on_cpu=args.slow_on_cpu,
        dial_sweep=args.dial_sweep,
        pairs=tuple(getattr(args, "pairs", ())),
        interpolation=getattr(args, "interpolation", ReportOptions.interpolation),
        steps=getattr(args, "steps", ReportOptions.steps),
        on_page=tuple(Path(run).name for run in getattr(args, "on_page", ())),
        title=getattr(args, "title", ""),
        authors=tuple(getattr(args, "authors", ())),
        course=getattr(args, "course", ""),
        comment=getattr(args, "comment", ""),
        pinned=getattr(args, "pinned", False),
        appendix=getattr(args, "appendix", False),
    )


class ConsoleProgress:
    """Prints a progress line per stage at most every few seconds."""

    def __init__(self, every_s: float = 5.0) -> None:
        self.every_s, self.last, self.started = every_s, 0.0, time.monotonic()

    def __call__(self, stage: str, fraction: float, text: str) -> None:
        now = time.monotonic()
        if now - self.last >= self.every_s or fraction >= 1:
            self.last = now
            line = f"[{now - self.started:5.0f} s] {STAGES[stage]} {fraction:4.0%} {text}"
            print(line, flush=True)


def run_from_terminal(options: ReportOptions) -> Evaluation:
    """evaluate_options with console progress (and the app's pins when --pinned)."""
    store = PinStore() if options.pinned else None
    return evaluate_options(options, ConsoleProgress(), stored_pins=store and store.pins)


def main(argv: Sequence[str] | None = None) -> int:
    """Run fmgen-evaluate; returns the exit code."""
    parser = argparse.ArgumentParser(prog="fmgen-evaluate", description=__doc__)
    add_evaluation_arguments(parser)
    args, options = parse_options(parser, argv)
    try:
        evaluation = run_from_terminal(options)
        written = write_metrics(evaluation, args.out)  # a full disk: a DiskError naming the file
    except FmgenError as exc:
        print(f"fmgen-evaluate: error: {exc}", file=sys.stderr)
        return 1
    for path in written:
        print(f"wrote {path}")
    print("\n".join(interpret(evaluation.metrics)))
    for line in sweep_lines(evaluation.metrics):  # the sampler dials' sweeps, if any
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
