"""Qt-free core of fmgen: data, models, training loop, checkpoints, metrics and the CLI."""

__version__ = "0.1.0"
