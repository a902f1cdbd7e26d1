"""Make the docs' screenshots from the real app on a virtual X screen (Xvfb).

    python tools/screenshots.py [--data-dir DIR] [--limit N] [--out docs/screenshots]

Trains a small VAE and a small DCGAN with fmgen-train (`python -m trainer`) into a scratch
folder, then opens the real window under `xvfb-run` through tests/screenshot_app.py (the script
the screenshot tests drive) once per picture: the Train tab while a VAE trains, the Explore tab
on the VAE with a pair between two classes, and the Evaluate tab after evaluating both runs.
Settings, runs and cache live in the scratch folder, so nothing of the user's is touched. Run it
again after any change to the GUI and commit the PNGs it writes.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from trainer.common.files import user_cache_dir  # the checkout's, whatever is installed

ROOT = Path(__file__).resolve().parent.parent

SHOT = ROOT / "tests" / "screenshot_app.py"
SCREEN = ["xvfb-run", "-a", "-s", "-screen 0 1280x800x24"]


def child_env(scratch: Path) -> dict[str, str]:
    """This process's environment for the app: drawn to X, with a throw-away cache."""
    # An inherited QT_QPA_PLATFORM=offscreen (the tests' setting) would keep the window off the
    # X server, and the app would write its last evaluation into the user's cache.
    env = {k: v for k, v in os.environ.items() if k != "QT_QPA_PLATFORM"}
    env["FMGEN_CACHE_DIR"] = str(scratch / "cache")
    return env


def reuse_classifier(scratch: Path) -> None:
    """Copy the user's cached classifiers into the scratch cache: training one for the
    Evaluate tab takes minutes on a CPU, and a cached one gives the same scores."""
    cached = user_cache_dir() / "classifier"
    if cached.is_dir():
        shutil.copytree(cached, scratch / "cache" / "classifier")


def train(model: str, args: argparse.Namespace, runs: Path, env: dict[str, str]) -> Path:
    """A finished run of `model` from fmgen-train, named after the model."""
    command = [sys.executable, "-m", "trainer", "--model", model, "--epochs", str(args.epochs)]
    command += ["--limit", str(args.limit), "--seed", "0", "--device", "cpu"]
    command += ["--out", str(runs), "--run-name", model]
    if args.data_dir:
        command += ["--data-dir", args.data_dir]
    subprocess.run(command, check=True, env=env, cwd=ROOT)
    return runs / model


def shoot(out: Path, env: dict[str, str], *options: str) -> None:
    """One picture of the real window, through tests/screenshot_app.py under Xvfb."""
    command = [*SCREEN, sys.executable, str(SHOT), str(out), *options]
    subprocess.run(command, check=True, env=env, cwd=ROOT)
    print(f"{out}: {out.stat().st_size // 1024} KB")


def main() -> int:
    """Train the two runs, then take each screenshot; exit status 1 if a step failed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--data-dir", default="", help="Fashion-MNIST folder (else fmgen's search)")
    parser.add_argument("--limit", type=int, default=2000, help="images per split")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument(
        "--timeout", type=float, default=1800, help="seconds the evaluation may take"
    )
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    data = ["--data-dir", args.data_dir] if args.data_dir else []
    with tempfile.TemporaryDirectory(prefix="fmgen-docs-shots-") as folder:
        scratch = Path(folder)
        env = child_env(scratch)
        reuse_classifier(scratch)
        try:
            vae = train("vae", args, scratch / "runs", env)
            gan = train("gan", args, scratch / "runs", env)
            live = ["--model", "vae", "--limit", str(args.limit), "--epochs", str(args.epochs)]
            shots = {
                "train.png": [*live, "--wait-epochs", "2"],
                "explore.png": ["--open", str(vae), "--tab", "explore", "--pair", "5,9"],
                "evaluate.png": ["--open", str(vae), "--open", str(gan), "--tab", "evaluate"],
            }
            shots["evaluate.png"] += ["--timeout", str(args.timeout)]  # the classifier may train
            for name, options in shots.items():
                shoot(args.out / name, env, *options, *data)
        except subprocess.CalledProcessError as error:
            print(f"screenshots: {error}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
