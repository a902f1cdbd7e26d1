"""fmgen-sample: generated images of a trained run, as a folder of PNGs or one .npz file."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from trainer.errors import FmgenError
from trainer.run_loading import load_learner
from trainer.sampling import (
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
    parser.add_argument("--run", type=Path, required=True, help="run folder or checkpoint")
    parser.add_argument("--n", type=int, required=True, help=f"how many images (1..{MAX_SAMPLES})")
    parser.add_argument(
        "--class",
        dest="label",
        metavar="C",
        help="conditional models only: the class, as 0-9 or a name like Shirt "
        "(default: the ten classes in turn)",
    )
    parser.add_argument("--seed", type=int, default=0, help="seed of the latent draws (0)")
    parser.add_argument("--out", type=Path, required=True, help="a .npz file or a new folder")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run fmgen-sample; returns the exit code."""
    args = build_parser().parse_args(argv)
    try:
        label = None if args.label is None else parse_class(args.label)
        request = SampleRequest(args.n, label, args.seed)
        check_output(args.out)
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
