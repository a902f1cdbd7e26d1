"""fmgen-report: evaluate runs and write the one-page PDF, its figures and metrics.json."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from trainer.cli.arguments import write_problem
from trainer.cli.evaluate import (
    add_evaluation_arguments,
    add_report_arguments,
    parse_options,
    run_from_terminal,
)
from trainer.common.errors import DiskError, FmgenError


def main(argv: Sequence[str] | None = None) -> int:
    """Run fmgen-report; returns the exit code."""
    parser = argparse.ArgumentParser(prog="fmgen-report", description=__doc__)
    add_evaluation_arguments(parser)
    add_report_arguments(parser)
    args, options = parse_options(parser, argv)
    out = args.out or Path("report")
    problem = write_problem(out)
    if problem:
        parser.error(f"--out {out}: {problem}; name a folder you can write in")
    try:
        evaluation = run_from_terminal(options)
    except FmgenError as exc:
        print(f"fmgen-report: error: {exc}", file=sys.stderr)
        return 1
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # drawing needs no display
    from PySide6.QtWidgets import QApplication

    from fmgen_gui.report.page import export_report

    app = QApplication.instance() or QApplication(["fmgen-report"])  # noqa: F841 - needed alive
    try:
        files = export_report(evaluation, options, out)  # each file atomic: whole or absent
    except DiskError as exc:  # a full disk, or a file that cannot be written, named
        print(f"fmgen-report: error: {exc}", file=sys.stderr)
        return 1
    print(f"report: {files.pdf}\npreview: {files.preview}\ntheory part: {files.theory}")
    print(f"figures: {out / 'figures'}")
    for path in files.metrics:
        print(f"metrics: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
