"""The command-line tools (layer 9): fmgen-train (`train`), fmgen-evaluate, fmgen-sample,
fmgen-sweep and its jobs, the checks shared by their arguments, and `make install`'s torch
variant probe (standard library only: it runs before torch is installed, so this
__init__ imports nothing).
"""

__all__ = [
    "arguments",
    "evaluate",
    "sample",
    "sweep",
    "sweep_jobs",
    "torch_variant",
    "train",
]
