"""The Runs tab, the test lines and the status bar in plain, current words (trial defect 12)."""

from __future__ import annotations

import pytest

from fmgen_gui.runs.pane import COLUMNS, RunsPane
from fmgen_gui.widgets.status_timeout import STATUS_SECONDS
from tests.gui_helpers import make_window
from tests.runs import tiny_run
from trainer.registry import get_model
from trainer.runs.index import RunIndex


@pytest.fixture(scope="module")
def rows(tiny_data_dir, tmp_path_factory):
    root = tmp_path_factory.mktemp("runs")
    runs = [
        tiny_run("vae", tiny_data_dir, root / "plain", "--limit", "100"),
        tiny_run("vae", tiny_data_dir, root / "binarised", "--binarize"),
        tiny_run("ddpm", tiny_data_dir, root / "ddpm"),
    ]
    found = {row.path: row for row in RunIndex(root / "runs.json").rows([root])}
    return [found[run] for run in runs]


def test_the_settings_column_says_only_what_a_run_has(rows):
    plain, binarised, ddpm = (row.settings for row in rows)
    assert "False" not in plain and "binari" not in plain  # a switch that is off says nothing
    assert "binarise" in binarised and "True" not in binarised
    assert plain.startswith("latent 4, ") and "latent" not in ddpm  # a DDPM has no latent size
    assert plain.endswith("100 images/split")  # the Train form's words, not "img/split"


def test_the_size_column_says_what_it_measures(qtbot, tmp_path):
    pane = RunsPane([tmp_path])
    qtbot.addWidget(pane)
    header = pane.table.horizontalHeaderItem(COLUMNS.index("size_mb"))
    assert header.text() == "Size (MB)" and "Disk space of the run folder" in header.toolTip()


def test_a_test_line_reads_its_numbers_at_one_precision():
    gan, vae = get_model("gan"), get_model("vae")
    assert gan.summary({"d_real": 0.763, "d_fake": 0.2419}) == "D(x) 0.7630, D(G(z)) 0.2419"
    assert vae.summary({"neg_elbo": 266.1, "kl": 15.27, "bce": 250.0}) == (
        "-ELBO 266.1, BCE 250.0, KL 15.27"
    )


def test_a_status_bar_message_goes_after_a_while(qtbot, tmp_path, tiny_data_dir):
    """The trial saw "Finished 2 epochs; run folder ..." for half an hour on Explore."""
    window = make_window(qtbot, tmp_path, tiny_data_dir)
    bar = window.statusBar()
    assert window.status_timer.interval() == STATUS_SECONDS * 1000
    window.status_timer.setInterval(300)  # the real timer, sooner
    window.training.status.emit("Finished 2 epochs; run folder /tmp/run")
    assert bar.currentMessage() == "Finished 2 epochs; run folder /tmp/run"
    qtbot.wait(200)
    window.training.status.emit("Opened the VAE run /tmp/run")  # a newer one: its own time
    qtbot.wait(200)
    assert bar.currentMessage() == "Opened the VAE run /tmp/run"
    qtbot.waitUntil(lambda: bar.currentMessage() == "", timeout=2000)
    window.close()
