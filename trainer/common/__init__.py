"""The vocabulary every layer shares (layer 0): fmgen's errors, atomic file writes, the events
a run reports, metric keys, words, image grids, pixel conversions, the pickle-free .npz file
and the DDPM's timestep ranges. Imports no other trainer package.
"""

__all__ = [
    "errors",
    "events",
    "files",
    "grids",
    "keys",
    "pixels",
    "plain_file",
    "timesteps",
    "words",
]
