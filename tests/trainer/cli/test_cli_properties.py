"""Property: whatever argument vector a person types, every command either refuses it (exit 2,
one line, no traceback), answers (exit 0: --help) or gets past its checks to its work, and
never raises. Parse and validate only: each command's work is a recorder (tests/cli_commands.py).
"""

from __future__ import annotations

import argparse
import math
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fmgen_gui import app
from tests.cli_commands import COMMANDS, error_line, fake_run, run_command
from trainer.cli import sample as sample_cli
from trainer.cli import sweep as sweep_cli
from trainer.cli import train as train_cli
from trainer.cli.evaluate import add_evaluation_arguments, add_report_arguments


def _evaluation_parser(report: bool) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser()
    add_evaluation_arguments(parser)
    if report:
        add_report_arguments(parser)
    return parser


def _options(*parsers: argparse.ArgumentParser) -> list[str]:
    """Every option the parsers declare, but the ones that only print and exit."""
    return sorted(
        {
            option
            for parser in parsers
            for action in parser._actions  # argparse has no public list of its options
            for option in action.option_strings
            if option.startswith("--") and option not in ("--help", "--version")
        }
    )


# Per command: the options it takes, and a valid start that random options are added to (so
# examples get past "required" and reach the later checks).
PLANS = {
    "fmgen-train": (_options(train_cli.build_parser()), ["--model", "vae"]),
    "fmgen-evaluate": (_options(_evaluation_parser(False)), ["--run", "{run}"]),
    "fmgen-report": (_options(_evaluation_parser(True)), ["--run", "{run}"]),
    "fmgen-sweep": (
        _options(sweep_cli.build_parser(), train_cli.build_parser()),
        ["--model", "vae", "--grid", "beta=1,2"],
    ),
    "fmgen-sample": (
        _options(sample_cli.build_parser()),
        ["--run", "{run}", "--n", "2", "--out", "{missing}/s.npz"],
    ),
    "fmgen": (_options(app.build_parser()), []),
}

NUMBERS = st.sampled_from(
    ["-1", "0", "1", "2", "10", "1.5", "1e9", "nan", "inf", "-inf", "0x10", "", "abc"]
) | st.integers(-(10**6), 10**30).map(str)
PATHS = st.sampled_from(
    ["{missing}", "{file}", "{run}", "{folder}", "{data}", "{file}/below", "{missing}/s.npz",
     "/sys/fmgen-out", "{run}/checkpoint.pt", "{missing}.zip"]
)  # fmt: skip
WORDS = st.sampled_from(["vae", "gan", "cpu", "cuda:7", "gpu", "beta=1,x", "epochs=0,1", "a/b"])
TEXT = st.text(st.characters(blacklist_characters="\x00"), max_size=8)  # argv holds no NUL
VALUES = NUMBERS | PATHS | WORDS | TEXT


@st.composite
def argument_vectors(draw, command: str) -> list[tuple[str, str | None]]:
    """A start (valid or none), then up to five options, each with a value or none: as
    (option, value) pairs (a lone positional of fmgen as (value, None))."""
    options, start = PLANS[command]
    pairs = list(zip(start[::2], start[1::2], strict=True)) if draw(st.booleans()) else []
    for _ in range(draw(st.integers(0, 5))):
        pairs.append((draw(st.sampled_from(options)), draw(VALUES | st.none())))
    if command == "fmgen" and draw(st.booleans()):
        pairs.append((draw(PATHS), None))  # the run to open
    return pairs


# The oracle, written from what each option means (not from the checks under test): values no
# command may accept.
NUMERIC = {
    "--epochs", "--latent-dim", "--beta", "--batch-size", "--lr", "--n-critic", "--gp-weight",
    "--seed", "--limit", "--log-every", "--samples", "--iwae-k", "--slow-on-cpu", "--steps",
    "--max-parallel", "--gpus-per-job", "--time-limit", "--n", "--p-uncond",
}  # fmt: skip
NOT_WRITABLE = {"{file}", "{file}/below", "/sys/fmgen-out"}
MUST_EXIST = {"--run", "--vae", "--gan", "--resume", "--follow", "--archive"}


def _not_a_number(value: str) -> bool:
    """Nothing any numeric option allows: negative, not finite, empty or not a number."""
    try:
        number = float(value)
    except ValueError:
        return True
    return value.startswith("-") or not math.isfinite(number)


def must_refuse(command: str, pairs: list[tuple[str, str | None]]) -> bool:
    """True when some value is one that no reading of the option can accept."""
    options = {option for option, _ in pairs}
    for option, value in pairs:
        if value is None:
            continue
        if option in NUMERIC and _not_a_number(value):
            return True
        if option == "--out" and value in NOT_WRITABLE:
            return True
        if option in MUST_EXIST and value in ("{missing}", "{missing}.zip"):
            return True
        skips_data = {"--archive", "--fetch-data"} & options or command == "fmgen-sweep"
        if option == "--data-dir" and value in ("{missing}", "{file}") and not skips_data:
            return True
    return False


def _places(root: Path, data_dir: Path) -> dict[str, str]:
    (root / "file").write_text("a file")
    (root / "folder").mkdir()
    return {
        "missing": str(root / "missing"),
        "file": str(root / "file"),
        "folder": str(root / "folder"),
        "run": str(fake_run(root / "run")),
        "data": str(data_dir),
    }


def _fill(arg: str, places: dict[str, str]) -> str:
    """`arg` with its {placeholders} replaced (not str.format: random text may hold braces)."""
    for key, path in places.items():
        arg = arg.replace("{" + key + "}", path)
    return arg


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_any_argument_vector_is_refused_in_one_line_or_reaches_the_work(command, tiny_data_dir):
    @settings(max_examples=60, deadline=None)
    @given(pairs=argument_vectors(command))
    def check(pairs: list[tuple[str, str | None]]) -> None:
        argv = [word for pair in pairs for word in pair if word is not None]
        with tempfile.TemporaryDirectory() as root, pytest.MonkeyPatch.context() as patch:
            patch.chdir(root)  # default output folders land in the example's own folder
            patch.setenv("FMGEN_RUNS_DIR", str(Path(root) / "runs"))
            places = _places(Path(root), tiny_data_dir)
            outcome = run_command(command, [_fill(arg, places) for arg in argv])
        assert outcome.code in (None, 0, 2), outcome
        if outcome.code == 2:
            error_line(outcome, COMMANDS[command].prog)
        elif must_refuse(command, pairs):
            raise AssertionError(f"{command} {argv} was accepted: {outcome}")

    check()
