"""Exit 0 when `make install` should take torch from PyTorch's CPU index, else 1.

Usage: python -m trainer.cli.torch_variant auto|cpu|default CPU_INDEX_URL. 'auto' picks the CPU
build on a machine without an NVIDIA GPU (no nvidia-smi) when the index answers within a few
seconds; 'cpu' insists (and fails loudly if the index cannot be reached); 'default' never uses
it. Standard library only: it runs before torch is installed.
"""

from __future__ import annotations

import shutil
import sys
import urllib.request


def index_answers(url: str) -> bool:
    """True when the index lists torch (a refused or slow connection is a no)."""
    try:
        with urllib.request.urlopen(url.rstrip("/") + "/torch/", timeout=5) as response:
            return response.status == 200
    except OSError:
        return False


def main(mode: str, url: str) -> int:
    """0: use the CPU index; 1: use the default one."""
    if mode == "default" or (mode == "auto" and shutil.which("nvidia-smi")):
        return 1
    if index_answers(url):
        return 0
    if mode == "cpu":
        sys.exit(f"TORCH=cpu, but {url} cannot be reached; use TORCH=default")
    return 1


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
