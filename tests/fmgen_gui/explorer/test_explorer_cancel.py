"""Explore's redraw of a DDPM stops within one denoising step of a cancel (issue 22 item 2)."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from fmgen_gui.explorer.jobs import redraw_job
from fmgen_gui.tasks import Report
from tests.runs import tiny_run
from trainer.common.errors import Cancelled

pytestmark = pytest.mark.timeout(300)


def test_redrawing_a_ddpm_stops_within_one_step_of_a_cancel(
    tiny_data_dir, tmp_path, small_networks
):
    ddpm = tiny_run("ddpm", tiny_data_dir, tmp_path / "ddpm")
    cancel, reports = threading.Event(), []

    def progress(fraction: float, text: str) -> None:
        reports.append(cancel.is_set())
        if len(reports) == 3:  # the model loaded, then two denoising steps
            cancel.set()  # as closing the window does, from the GUI thread

    codes = np.random.default_rng(0).standard_normal((2, 784)).astype(np.float32)  # one batch
    job = redraw_job("ddpm", ddpm / "checkpoint.pt", codes, None, {})
    with pytest.raises(Cancelled):
        job(Report(progress, lambda event: None), cancel)
    assert sum(reports) == 0  # no step reported after the cancel: the next one stopped
