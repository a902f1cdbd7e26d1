"""A real window under Xvfb: train a little, save a screenshot a person can open and read."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from trainer.data import FILES, SYSTEM_DIR

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
pytestmark = [
    pytest.mark.skipif(not shutil.which("xvfb-run"), reason="xvfb-run not installed"),
    pytest.mark.timeout(300),
]


def data_dir(tiny_data_dir: Path) -> Path:
    real = all((SYSTEM_DIR / (f.name + ".gz")).is_file() for f in FILES.values())
    return SYSTEM_DIR if real else tiny_data_dir


@pytest.mark.parametrize("model", ["vae", "gan"])
def test_screenshot_of_the_training_window(tiny_data_dir, model):
    out = ARTIFACTS / f"train-{model}.png"
    out.unlink(missing_ok=True)
    script = Path(__file__).with_name("screenshot_app.py")
    result = subprocess.run(
        [
            "xvfb-run",
            "-a",
            "-s",
            "-screen 0 1280x800x24",
            sys.executable,
            str(script),
            str(out),
            "--model",
            model,
            "--limit",
            "3000",
            "--epochs",
            "3",
            "--wait-epochs",
            "2",
            "--data-dir",
            str(data_dir(tiny_data_dir)),
        ],
        capture_output=True,
        text=True,
        timeout=280,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    image = np.asarray(Image.open(out).convert("L"), dtype=np.float32)
    assert image.shape == (800, 1280)
    assert image.std() > 20, "the screenshot is (nearly) blank"
    print(f"screenshot saved: {out}")
