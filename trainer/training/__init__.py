"""The training loop (layer 6): epochs of learner steps with checkpoints, the meters that
average logged values, failure events, and the console's view of a run.
"""

__all__ = [
    "console",
    "failures",
    "loop",
    "meters",
]
