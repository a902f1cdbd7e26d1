"""Errors whose message is written for the person using fmgen, not for a traceback."""


class FmgenError(Exception):
    """Base class: the message says what is wrong and how to fix it."""


class DataError(FmgenError):
    """Fashion-MNIST could not be found, read or trusted."""


class CheckpointError(FmgenError):
    """A checkpoint is missing, damaged, foreign or does not fit the run."""


class ConfigError(FmgenError):
    """A hyperparameter or setting is impossible."""


class RunFolderError(FmgenError):
    """A run folder cannot be used (another process is training in it)."""


class DiskError(FmgenError, OSError):
    """A file could not be written: the disk is full or read-only.

    Also an OSError, so the handlers that already catch failed writes show its message.
    """
