"""Print training events on a terminal: a progress bar on a TTY, plain lines otherwise."""

from __future__ import annotations

import sys
import time
from typing import TextIO

from trainer.common.events import (
    CheckpointSaved,
    EpochEnded,
    Event,
    Paused,
    Resumed,
    RunFailed,
    RunFinished,
    RunStarted,
    RunStopped,
    SamplesReady,
    StepLogged,
)
from trainer.common.keys import format_number
from trainer.common.words import plural
from trainer.registry import get_model

PLAIN_PROGRESS_EVERY_S = 10.0


def format_values(values: dict[str, float]) -> str:
    """'name value' pairs separated by spaces."""
    return " ".join(f"{name} {format_number(v)}" for name, v in values.items())


class ConsoleReporter:
    """Turns events into terminal output; returns nothing, keeps no training state."""

    def __init__(self, stream: TextIO | None = None, tty: bool | None = None) -> None:
        self.stream = stream or sys.stdout
        self.tty = self.stream.isatty() if tty is None else tty
        self.model = "vae"
        self.epochs = self.steps_per_epoch = self.first_step = 0
        self.precision = "fp32"
        self.last_plain = 0.0

    def show(self, event: Event) -> None:
        """Print what a person wants to know about `event`."""
        handler = getattr(self, f"on_{type(event).__name__}", None)
        if handler:
            handler(event)

    def write(self, text: str) -> None:
        """A full line (clearing a progress bar first)."""
        if self.tty:
            text = "\r\033[K" + text
        print(text, file=self.stream, flush=True)

    def on_RunStarted(self, e: RunStarted) -> None:
        self.model, self.epochs = e.config["model"], e.config["epochs"]
        self.steps_per_epoch = e.steps_per_epoch
        self.precision = e.precision
        action = f"resuming at epoch {e.epoch + 1}, step {e.step}" if e.step else "training"
        spec = get_model(self.model)
        latent = f" latent {e.config['latent_dim']}" if "latent_dim" in spec.options else ""
        self.write(
            f"{action}: {spec.label}{latent}, "
            f"{plural(self.epochs, 'epoch')} of {plural(e.steps_per_epoch, 'step')} on {e.device}; "
            f"data {e.train_size} train / {e.test_size} test from {e.data_source}"
        )
        self.write(f"precision {e.precision}: {e.precision_reason}")
        self.write(f"run folder: {e.run_dir}")
        self.write(f"watch it live in the app: fmgen --follow {e.run_dir}")

    def on_StepLogged(self, e: StepLogged) -> None:
        done = e.step - (e.epoch - 1) * self.steps_per_epoch
        text = (
            f"epoch {e.epoch}/{self.epochs} {done}/{self.steps_per_epoch} "
            f"{format_values(e.losses)} {e.images_per_s:.0f} img/s {self.precision}"
        )
        if self.tty:
            width = 24
            filled = round(width * done / max(self.steps_per_epoch, 1))
            bar = "#" * filled + "." * (width - filled)
            print(f"\r\033[K[{bar}] {text}", end="", file=self.stream, flush=True)
        elif time.monotonic() - self.last_plain >= PLAIN_PROGRESS_EVERY_S:
            self.last_plain = time.monotonic()
            self.write(text)

    def on_EpochEnded(self, e: EpochEnded) -> None:
        self.write(
            f"epoch {e.epoch}/{self.epochs} ({e.seconds:.1f} s) train {format_values(e.train)}"
            f" | test {get_model(self.model).summary(e.test)}"
        )

    def on_SamplesReady(self, e: SamplesReady) -> None:
        pass  # the grids are in the run folder; a terminal cannot show them

    def on_CheckpointSaved(self, e: CheckpointSaved) -> None:
        pass  # said once at the end, with the run folder

    def on_Paused(self, e: Paused) -> None:
        self.write(f"paused at step {e.step}")

    def on_Resumed(self, e: Resumed) -> None:
        self.write(f"resumed at step {e.step}")

    def on_RunFinished(self, e: RunFinished) -> None:
        trained = f"{plural(e.epoch, 'epoch')} ({plural(e.step, 'step')})"
        self.write(f"finished {trained}; run folder: {e.run_dir}")

    def on_RunStopped(self, e: RunStopped) -> None:
        self.write(
            f"stopped at step {e.step}; checkpoint saved: {e.checkpoint}\n"
            f"resume with: fmgen-train --resume {e.checkpoint}"
        )

    def on_RunFailed(self, e: RunFailed) -> None:
        if self.tty:
            print(file=self.stream)
        print(f"fmgen-train: error: {e.message}", file=sys.stderr, flush=True)
        if e.details:
            print(e.details, file=sys.stderr, flush=True)
