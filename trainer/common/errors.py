"""Errors whose message is written for the person using fmgen, not for a traceback; cancellation."""

import threading


class FmgenError(Exception):
    """Base class: the message says what is wrong and how to fix it."""


class DataError(FmgenError):
    """Fashion-MNIST could not be found, read or trusted.

    `problem` is what is wrong without the ways to get the data that the message adds, so that
    the app can say them in its own words (its Data folder field, not --data-dir).
    """

    def __init__(self, message: str, problem: str | None = None) -> None:
        super().__init__(message)
        self.problem = message if problem is None else problem


class CheckpointError(FmgenError):
    """A checkpoint is missing, damaged, foreign or does not fit the run."""


class ConfigError(FmgenError):
    """A hyperparameter or setting is impossible."""


class RunFolderError(FmgenError):
    """A run folder cannot be used (another process is training in it)."""


class Cancelled(FmgenError):
    """A long job was asked to stop (closing the window, a newer request); not shown as an error."""


def raise_if_cancelled(cancel: threading.Event | None) -> None:
    """Raise Cancelled when `cancel` is set: every long job calls this at least once per batch.

    `cancel` is the one cancellation handle of fmgen: a threading.Event that the job's owner sets
    from another thread. None means the job cannot be cancelled (the terminal tools).
    """
    if cancel is not None and cancel.is_set():
        raise Cancelled("cancelled")


class DiskError(FmgenError, OSError):
    """A file could not be written: the disk is full or read-only, or the system refused it.

    Also an OSError, so the handlers that already catch failed writes show its message.
    """
