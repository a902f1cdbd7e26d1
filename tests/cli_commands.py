"""Every fmgen command run in-process with its work replaced by a recorder, for the tests of
what the commands refuse before any work (tests/trainer/cli/test_cli_refusals.py and
test_cli_properties.py).

Only the first step of each command's work is replaced (loading data, evaluating, submitting a
sweep, loading a model, opening a window); the parsing and checking before it run for real.
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from fmgen_gui import app
from fmgen_gui.report import cli as report_cli
from trainer.cli import evaluate as evaluate_cli
from trainer.cli import sample as sample_cli
from trainer.cli import sweep as sweep_cli
from trainer.cli import train as train_cli


class Reached(Exception):
    """Raised by a recorder: the command got past its checks to its work."""


@dataclass(frozen=True)
class Command:
    """One command: its main, its name in messages, and the (module, name) of its work."""

    main: Callable[[list[str]], int]
    prog: str
    work: tuple[tuple[object, str], ...]


COMMANDS = {
    "fmgen-train": Command(
        train_cli.main,
        "fmgen-train",
        ((train_cli, "load_fashion_mnist"), (train_cli, "archive_run"), (train_cli, "fetch")),
    ),
    "fmgen-evaluate": Command(
        evaluate_cli.main, "fmgen-evaluate", ((evaluate_cli, "run_from_terminal"),)
    ),
    "fmgen-report": Command(report_cli.main, "fmgen-report", ((report_cli, "run_from_terminal"),)),
    "fmgen-sweep": Command(sweep_cli.main, "fmgen-sweep", ((sweep_cli, "make_executor"),)),
    "fmgen-sample": Command(sample_cli.main, "fmgen-sample", ((sample_cli, "load_learner"),)),
    "fmgen": Command(app.main, "fmgen", ((app, "display_problem"),)),
}


@dataclass(frozen=True)
class Outcome:
    """How a command ended: its exit code (None: it reached its work) and what it printed."""

    code: int | None
    out: str
    err: str

    @property
    def reached(self) -> bool:
        """True when the command got past its checks."""
        return self.code is None


def _recorder(*args: object, **kwargs: object) -> None:
    raise Reached


def run_command(name: str, argv: list[str]) -> Outcome:
    """Run command `name` on `argv` with its work replaced by a recorder."""
    command = COMMANDS[name]
    out, err = io.StringIO(), io.StringIO()
    with pytest.MonkeyPatch.context() as patch:
        for module, attribute in command.work:
            patch.setattr(module, attribute, _recorder)
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = command.main(argv)
            except SystemExit as exc:
                code = exc.code
            except Reached:
                code = None
    return Outcome(code, out.getvalue(), err.getvalue())


def error_line(outcome: Outcome, prog: str) -> str:
    """The one line a refused input printed ('PROG: error: ...'), checking it is the last and
    that nothing looks like a traceback."""
    assert "Traceback" not in outcome.err, outcome.err
    lines = outcome.err.strip().splitlines()
    assert lines and lines[-1].startswith(f"{prog}: error: "), outcome.err
    assert sum(line.startswith(f"{prog}: error") for line in lines) == 1, outcome.err
    return lines[-1]


def fake_run(folder: Path) -> Path:
    """A folder that looks like a run to the argument checks (its checkpoint is not a real one)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "config.json").write_text("{}")
    (folder / "checkpoint.pt").write_bytes(b"not a checkpoint")
    return folder
