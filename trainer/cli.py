"""fmgen-train: train the VAE or the GAN from the terminal, writing a run folder."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Sequence
from pathlib import Path

from trainer.checkpoint import load_checkpoint
from trainer.config import MODELS, RunConfig, check_resumable, default_config
from trainer.console import ConsoleReporter
from trainer.data import fetch, load_fashion_mnist
from trainer.errors import FmgenError
from trainer.events import RunFailed, RunStopped
from trainer.files import default_runs_dir
from trainer.loop import train
from trainer.runs import new_run_dir

EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


def build_parser() -> argparse.ArgumentParser:
    """The command line of fmgen-train."""
    parser = argparse.ArgumentParser(
        prog="fmgen-train",
        description="Train a VAE or a GAN on Fashion-MNIST; writes a run folder with "
        "config.json, metrics.jsonl, checkpoint.pt and samples/.",
    )
    parser.add_argument("--model", choices=MODELS, help="which model to train")
    parser.add_argument("--epochs", type=int, help="epochs to train in all (default 10)")
    parser.add_argument("--latent-dim", type=int, help="latent size (VAE 32, GAN 64)")
    parser.add_argument("--beta", type=float, help="weight of the KL term (VAE, default 1)")
    parser.add_argument("--batch-size", type=int, help="images per step (default 128)")
    parser.add_argument("--lr", type=float, help="learning rate (VAE 1e-3, GAN 2e-4)")
    parser.add_argument("--seed", type=int, help="random seed (default 0)")
    parser.add_argument("--device", help="auto (default), cpu, cuda, cuda:N or mps")
    parser.add_argument("--limit", type=int, help="use N class-balanced images per split")
    parser.add_argument(
        "--binarize",
        action="store_true",
        default=None,
        help="train and test on dynamically binarised pixels",
    )
    parser.add_argument("--log-every", type=int, help="steps between progress records")
    parser.add_argument("--data-dir", type=Path, help="folder with the Fashion-MNIST files")
    parser.add_argument(
        "--out", type=Path, default=default_runs_dir(), help="parent of run folders (./runs)"
    )
    parser.add_argument(
        "--resume",
        type=Path,
        metavar="CHECKPOINT",
        help="continue the run of this checkpoint (file or run folder)",
    )
    parser.add_argument(
        "--fetch-data",
        action="store_true",
        help="find Fashion-MNIST, downloading it if needed, and exit",
    )
    return parser


def _settings(args: argparse.Namespace) -> dict:
    names = (
        "epochs",
        "latent_dim",
        "beta",
        "batch_size",
        "lr",
        "seed",
        "device",
        "limit",
        "binarize",
        "log_every",
    )
    return {name: getattr(args, name) for name in names if getattr(args, name) is not None}


def plan_run(args: argparse.Namespace) -> tuple[RunConfig, Path, object]:
    """The config, run folder and checkpoint (or None) the arguments ask for."""
    settings = _settings(args)
    if args.resume:
        checkpoint = load_checkpoint(args.resume, expect_model=args.model)
        config = checkpoint.config.replace(**settings)
        check_resumable(config, checkpoint.config)
        return config, checkpoint.path.parent, checkpoint
    if not args.model:
        raise FmgenError("choose a model with --model vae or --model gan (or --resume a run)")
    config = default_config(args.model, **settings)
    return config, new_run_dir(args.out, config.model), None


def main(argv: Sequence[str] | None = None) -> int:
    """Run fmgen-train; returns the exit code."""
    args = build_parser().parse_args(argv)
    try:
        if args.fetch_data:
            _, source = fetch(download=True)
            print(f"Fashion-MNIST is in {source}")
            return EXIT_OK
        config, run_dir, checkpoint = plan_run(args)
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
