"""fmgen-sample: generated images of a trained run, as a folder of PNGs or one .npz file."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from trainer.cli.arguments import run_path, setting, whole_number, write_problem
from trainer.common.errors import FmgenError
from trainer.runs.loading import load_learner
from trainer.sampling.samples import (
    MAX_SAMPLES,
    SampleRequest,
    check_output,
    parse_class,
    sample,
    write_samples,
)


def build_parser() -> argparse.ArgumentParser:
    """The command line of fmgen-sample."""
    parser = argparse.ArgumentParser(
        prog="fmgen-sample",
        description="Generate images with a trained model. --out NAME.npz writes one file "
        "(arrays 'images' uint8 N x 28 x 28 and 'labels': the class, or -1 for unconditional "
        "models); --out FOLDER (no suffix) writes one PNG per image.",
    )
    parser.add_argument("--run", type=run_path, required=True, help="run folder or checkpoint")
    parser.add_argument(
        "--n",
        type=whole_number(1, MAX_SAMPLES),
        required=True,
        help=f"how many images (1..{MAX_SAMPLES}; the bound keeps the images within memory)",
    )
    parser.add_argument(
        "--class",
        dest="label",
        type=_class,
        metavar="C",
        help="conditional models only: the class, as 0-9 or a name like Shirt "
        "(default: the ten classes in turn)",
    )
    parser.add_argument(
        "--seed", type=setting("seed"), default=0, help="seed of the latent draws (0)"
    )
    parser.add_argument("--out", type=_output, required=True, help="a .npz file or a new folder")
    return parser


def _class(text: str) -> int:
    try:
        return parse_class(text)
    except FmgenError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _output(text: str) -> Path:
    """argparse type of --out: a .npz file or a new or empty folder, somewhere writable."""
    path = Path(text).expanduser()
    try:
        check_output(path)
    except FmgenError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    problem = write_problem(path.parent if path.suffix else path)
    if problem:
        raise argparse.ArgumentTypeError(f"{text!r}: {problem}")
    return path


def main(argv: Sequence[str] | None = None) -> int:
    """Run fmgen-sample; returns the exit code."""
    args = build_parser().parse_args(argv)  # every value checked: a refused one exits 2
    try:
        request = SampleRequest(args.n, args.label, args.seed)
        learner, checkpoint = load_learner(args.run, None)
        images, labels = sample(learner, request)
        path = write_samples(args.out, images, labels)
    except FmgenError as exc:
        print(f"fmgen-sample: error: {exc}", file=sys.stderr)
        return 1
    model = checkpoint.config.model
    print(f"wrote {len(images):,} {model} samples (epoch {checkpoint.epoch}) to {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
