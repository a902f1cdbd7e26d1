"""fmgen-train: train any registered model from the terminal, writing a run folder."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from trainer.cli.arguments import (
    data_dir_problem,
    device_name,
    one_line,
    output_folder,
    run_folder,
    run_path,
    setting,
    write_problem,
)
from trainer.common.errors import FmgenError
from trainer.common.events import RunFailed, RunStopped
from trainer.common.files import default_runs_dir
from trainer.config.device import resolve_device
from trainer.config.resume import check_resumable
from trainer.config.settings import (
    SETTINGS,
    RunConfig,
    default_config,
    field_choices,
    field_help,
    field_label,
    field_range,
    field_type,
)
from trainer.data.fashion_mnist import fetch, load_fashion_mnist
from trainer.registry import all_models, model_names
from trainer.runs.archive import archive_run
from trainer.runs.checkpoint import load_checkpoint
from trainer.runs.folder import named_run_dir, new_run_dir
from trainer.runs.snapshots import run_folder_of
from trainer.training.console import ConsoleReporter
from trainer.training.loop import train

EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


def _option_type(name: str) -> Callable[[str], Any] | None:
    """How the command line parses setting `name`: its type, checked against its declared range
    (trainer/config/settings.py) as it is parsed; None for the Adam betas, parsed by _betas."""
    if name == "device":
        return device_name  # checked against this machine's devices
    kind = field_type(name)
    if kind is tuple:
        return None
    return setting(name, kind) if field_range(name) is not None else kind


# Config fields the command line sets as --name VALUE, generated from the RunConfig fields: the
# model is a choice among the registry's, binarize a flag.
_OPTION_TYPES = {name: _option_type(name) for name in SETTINGS if name not in ("model", "binarize")}


def _betas(text: str) -> tuple[float, float]:
    try:
        first, second = (float(part) for part in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not two numbers like 0.5,0.999") from None
    return first, second


def _models_help() -> str:
    return "; ".join(
        f"{spec.name}: {spec.title}"
        + (f" (also sets {', '.join(spec.options)})" if spec.options else "")
        for spec in all_models()
    )


def build_parser() -> argparse.ArgumentParser:
    """The command line of fmgen-train; models and their options come from the registry."""
    parser = argparse.ArgumentParser(
        prog="fmgen-train",
        description="Train a generative model on Fashion-MNIST; writes a run folder with "
        "config.json, metrics.jsonl, checkpoint.pt and samples/.",
        epilog="Models: " + _models_help(),
    )
    parser.add_argument("--model", choices=model_names(), help="which model to train")
    for name, kind in _OPTION_TYPES.items():
        parser.add_argument(
            "--" + name.replace("_", "-"),
            type=kind or _betas,
            choices=field_choices(name),
            metavar="B1,B2" if kind is None else None,
            help=field_help(name),
        )
    parser.add_argument(
        "--binarize", action="store_true", default=None, help=field_help("binarize")
    )
    parser.add_argument("--data-dir", type=Path, help="folder with the Fashion-MNIST files")
    parser.add_argument(
        "--out",
        type=output_folder,
        default=default_runs_dir(),
        help="parent of run folders (./runs)",
    )
    parser.add_argument(
        "--run-name", help="name the run folder (under --out) instead of <model>-<date>-<time>"
    )
    parser.add_argument(
        "--resume",
        type=run_path,
        metavar="CHECKPOINT",
        help="continue the run of this checkpoint (file or run folder)",
    )
    parser.add_argument(
        "--archive",
        type=archive_source,
        metavar="RUN_DIR",
        help="write RUN_DIR.zip (to open, resume or follow elsewhere) and exit",
    )
    parser.add_argument(
        "--fetch-data",
        action="store_true",
        help="find Fashion-MNIST, downloading it if needed, and exit",
    )
    return parser


def settings_from_args(args: argparse.Namespace) -> dict:
    """The config values the parsed arguments set (unset options are left out)."""
    names = (*_OPTION_TYPES, "binarize")
    return {name: getattr(args, name) for name in names if getattr(args, name) is not None}


def archive_source(text: str) -> Path:
    """argparse type of --archive: a run folder whose parent takes the .zip."""
    folder = run_folder(text)
    target = folder.resolve().with_name(folder.name + ".zip")
    if target.is_dir():
        raise argparse.ArgumentTypeError(
            f"{text!r}: {target} is a folder, so the .zip cannot go there"
        )
    problem = write_problem(target.parent)
    if problem:
        raise argparse.ArgumentTypeError(
            f"{text!r}: {problem}, so {folder.name}.zip cannot go there"
        )
    return folder


def name_options(message: str) -> str:
    """A config message with each setting named by its option too: 'KL weight beta: ...' ->
    '--beta (KL weight beta): ...' (config.py words problems for the app, by their labels)."""
    message = message.removeprefix("Invalid settings: ")
    for name in (*_OPTION_TYPES, "binarize"):
        label = field_label(name)
        message = message.replace(f"{label}:", f"--{name.replace('_', '-')} ({label}):")
    return message


def plan_run(args: argparse.Namespace) -> tuple[RunConfig, Path, object]:
    """The config, run folder and checkpoint (or None) the arguments ask for."""
    settings = settings_from_args(args)
    if args.resume:
        checkpoint = load_checkpoint(args.resume, expect_model=args.model)
        config = checkpoint.config.replace(**settings)
        check_resumable(config, checkpoint.config)
        return config, run_folder_of(checkpoint.path), checkpoint
    if not args.model:
        raise FmgenError(
            f"choose a model with --model ({', '.join(model_names())}), or --resume a run"
        )
    config = default_config(args.model, **settings)
    if args.run_name:
        return config, named_run_dir(args.out, args.run_name), None
    return config, new_run_dir(args.out, config.model), None


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """fmgen-train's arguments, every one checked before any work: a refused one exits 2 with
    one line (argparse's convention). Training runs get `plan`: (config, run folder, resume)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    args.plan = None
    if args.archive or args.fetch_data:
        return args
    try:
        args.plan = plan_run(args)
        resolve_device(args.plan[0].device)  # this machine has it
    except FmgenError as exc:
        parser.error(name_options(one_line(exc)))
    problem = data_dir_problem(args.data_dir)
    if problem:
        parser.error(f"{problem} (fmgen-train --fetch-data downloads Fashion-MNIST)")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    """Run fmgen-train; returns the exit code."""
    args = parse_args(argv)
    try:
        if args.archive:
            print(f"wrote {archive_run(args.archive)}")
            return EXIT_OK
        if args.fetch_data:
            _, source = fetch(download=True)
            print(f"Fashion-MNIST is in {source}")
            return EXIT_OK
        config, run_dir, checkpoint = args.plan
        data = load_fashion_mnist(args.data_dir, limit=config.limit, download=True)
    except FmgenError as exc:
        print(f"fmgen-train: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    stop = threading.Event()
    reporter = ConsoleReporter()
    try:
        with _stop_on_interrupt(stop):
            for event in train(config, data, run_dir, stop, resume=checkpoint):
                reporter.show(event)
    except KeyboardInterrupt:
        print("\nfmgen-train: interrupted twice; quit without saving", file=sys.stderr)
        return EXIT_INTERRUPTED
    if isinstance(event, RunFailed):
        return EXIT_ERROR
    return EXIT_INTERRUPTED if isinstance(event, RunStopped) else EXIT_OK


class _stop_on_interrupt:  # a context manager, named like one
    """The first Ctrl-C asks the loop to save and stop; a second one interrupts at once."""

    def __init__(self, stop: threading.Event) -> None:
        self.stop = stop

    def __enter__(self) -> None:
        self.previous = signal.signal(signal.SIGINT, self._handle)

    def __exit__(self, *exc: object) -> None:
        signal.signal(signal.SIGINT, self.previous)

    def _handle(self, signum: int, frame: object) -> None:
        if self.stop.is_set():
            raise KeyboardInterrupt
        print("\ninterrupted: saving a checkpoint (Ctrl-C again to quit at once)", file=sys.stderr)
        self.stop.set()


if __name__ == "__main__":
    sys.exit(main())
