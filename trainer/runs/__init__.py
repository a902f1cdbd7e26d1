"""Run folders (layer 5): the folder and its metrics log, run.json's status, checkpoints and
snapshots, the history a viewer replays, following a live run, archives, pins, the facts
of a run, loading its learner, the index of runs, interrupted runs, the section names of
metrics.json, and the readers that treat a run folder's files as untrusted input.
"""

__all__ = [
    "archive",
    "checkpoint",
    "facts",
    "folder",
    "follow",
    "history",
    "index",
    "interrupted",
    "loading",
    "metrics_json",
    "pins",
    "readers",
    "snapshots",
    "status",
]
