"""A real window under Xvfb (Qt's xcb platform): train a little and save a screenshot a person
can open and read; drive the explorer with mouse events and check what the screen shows."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from fmgen_gui.widgets.loss_plot import MIN_DATA_PX
from tests.runs import tiny_run
from trainer.data.fashion_mnist import FILES, SYSTEM_DIR
from trainer.registry import get_model, model_names

ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"
SCRIPT = Path(__file__).resolve().parents[2] / "screenshot_app.py"
pytestmark = [
    pytest.mark.needs_tool("xvfb-run"),
    pytest.mark.timeout(300),
]


def data_dir(tiny_data_dir: Path) -> Path:
    real = all((SYSTEM_DIR / (f.name + ".gz")).is_file() for f in FILES.values())
    return SYSTEM_DIR if real else tiny_data_dir


def run_app(out: Path, *args: str) -> subprocess.CompletedProcess:
    """Run screenshot_app.py on a virtual X screen; assert it succeeded and drew through xcb."""
    # The tests run Qt offscreen (conftest, Makefile); inherited, that would keep the child
    # from ever drawing to the X server.
    env = {name: value for name, value in os.environ.items() if name != "QT_QPA_PLATFORM"}
    out.unlink(missing_ok=True)
    screen = ["xvfb-run", "-a", "-s", "-screen 0 1280x800x24"]
    result = subprocess.run(
        [*screen, sys.executable, str(SCRIPT), str(out), *args],
        capture_output=True,
        text=True,
        timeout=280,
        env=env,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "platform: xcb" in result.stdout.splitlines(), result.stdout
    return result


@pytest.mark.parametrize("model", ["vae", "gan"])
def test_screenshot_of_the_training_window(tiny_data_dir, model):
    out = ARTIFACTS / f"train-{model}.png"
    args = ["--model", model, "--limit", "3000", "--epochs", "3", "--wait-epochs", "2"]
    run_app(out, *args, "--data-dir", str(data_dir(tiny_data_dir)))
    image = np.asarray(Image.open(out).convert("L"), dtype=np.float32)
    assert image.shape == (800, 1280)
    assert image.std() > 20, "the screenshot is (nearly) blank"
    print(f"screenshot saved: {out}")


def test_mouse_picks_and_slider_drag_change_the_explorers_image(tiny_data_dir, tmp_path):
    # A high learning rate: after two epochs the decoded image depends visibly on the code.
    run = tiny_run("vae", tiny_data_dir, tmp_path / "runs", "--lr", "0.01", epochs=2)
    out = ARTIFACTS / "explore-driven.png"
    args = ["--open", str(run), "--tab", "explore", "--drive-explorer"]
    result = run_app(out, *args, "--data-dir", str(tiny_data_dir))
    assert "explorer driven: the large image changed" in result.stdout, result.stdout


@pytest.fixture(scope="module")
def plot_sizes() -> dict[str, list[tuple[str, list[float]]]]:
    """Each model's Train-view plots as laid out in a real window of 1024x640 (a laptop's
    usable screen): first the view's width and the width it is shown in, then per plot its
    title, its widget, data area, title row and title text heights, the width its plot is
    laid out at and the width of the widget that shows it, in px."""
    out = ARTIFACTS / "plot-sizes.png"
    result = run_app(out, "--plot-sizes", "--size", "1024x640")
    sizes: dict[str, list[tuple[str, list[float]]]] = {}
    for line in result.stdout.splitlines():
        if line.startswith("view "):  # the whole view, as a plot titled "" of its width
            model, *numbers = line[len("view ") :].split("|")
            sizes.setdefault(model, []).insert(0, ("", [float(n) for n in numbers]))
        if line.startswith("plot "):
            model, title, *numbers = line[len("plot ") :].split("|")
            sizes.setdefault(model, []).append((title, [float(n) for n in numbers]))
    return sizes


@pytest.mark.parametrize("model", model_names())
def test_no_plot_of_a_models_train_view_is_squashed(plot_sizes, model):
    (_, (width, shown, height, shown_height, least)), *plots = plot_sizes[model]
    assert width <= shown, f"the view is {width:.0f} px wide, cut to {shown:.0f} px"
    assert height <= max(shown_height, least), "the view scrolls though it would fit"
    assert len(plots) == len(get_model(model).plots)
    for title, numbers in plots:
        assert_not_squashed(title, numbers)


def assert_not_squashed(title: str, numbers: list[float]) -> None:
    """A plot printed by screenshot_app.py has its data area, its whole title and its width."""
    height, data, title_row, title_text, drawn, width = numbers
    where = f"{title} (a plot {height:.0f} px high)"
    assert data >= MIN_DATA_PX, f"{where}: a data area of {data:.0f} px"
    assert title_row >= title_text, f"{where}: its title is clipped"
    assert drawn <= width, f"{where}: {drawn:.0f} px of plot cut to {width:.0f} px"


def test_no_plot_in_explore_is_squashed(tiny_data_dir, tmp_path):
    # The trial's 1280x800 window: the path plot's data area was about 60 px high.
    run = tiny_run("vae", tiny_data_dir, tmp_path / "runs")
    out = ARTIFACTS / "explore-plot-sizes.png"
    args = ["--open", str(run), "--tab", "explore", "--pair", "7,7", "--plot-sizes"]
    result = run_app(out, *args, "--data-dir", str(tiny_data_dir))
    plots = [line.split("|") for line in result.stdout.splitlines() if line.startswith("plot ")]
    assert len(plots) == 3, result.stdout  # the latent map; the path's probabilities, distances
    for _, title, *numbers in plots:
        assert_not_squashed(title, [float(n) for n in numbers])
