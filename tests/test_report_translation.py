"""A CycleGAN run on the report and the theory page: two tiny runs (a class pair and the
shifted pair) trained and evaluated by the real command-line tools."""

from __future__ import annotations

import json

import pytest

from tests.runs import tiny_run
from trainer.cli.evaluate import main as evaluate_main
from trainer.common import keys as k
from trainer.report.theory import STATEMENTS, theory_lines

pytestmark = pytest.mark.timeout(300)
ADAPTATION = next(i for i, s in enumerate(STATEMENTS, 1) if "Domain adaptation" in s.text)


@pytest.fixture(scope="module")
def evaluated(tiny_data_dir, tmp_path_factory):
    """metrics.json of a sneaker <-> ankle boot run and an originals <-> inverted run."""
    out = tmp_path_factory.mktemp("translators")
    runs = [
        tiny_run("cyclegan", tiny_data_dir, out / "classes"),
        tiny_run("cyclegan", tiny_data_dir, out / "shift", "--domains", "inverted"),
    ]
    report = out / "evaluation"
    argv = ["--data-dir", str(tiny_data_dir), "--out", str(report), "--samples", "100"]
    assert evaluate_main([*(f"--run={run}" for run in runs), *argv]) == 0
    return json.loads((report / "metrics.json").read_text()), report


def test_the_theory_page_states_the_accuracy_before_and_after_f(evaluated):
    metrics, _ = evaluated
    line = theory_lines(metrics)[ADAPTATION - 1]
    assert line.missing == ""
    shift = next(
        run["translation"]
        for run in metrics["runs"].values()
        if k.ACCURACY_TRANSLATED in run["translation"]
    )
    adaptation, style = sorted(line.evidence, key=lambda sentence: "Inverted" not in sentence)
    assert f"reads {shift[k.ACCURACY_ORIGINAL]:.1%} of the original test images" in adaptation
    assert f"{shift[k.ACCURACY_SHIFTED]:.1%} of their inverted copies" in adaptation
    assert f"and {shift[k.ACCURACY_TRANSLATED]:.1%} of those copies translated back" in adaptation
    assert "(Sneaker <-> Ankle boot)" in style and "train it with the domains 'inverted'" in style


def test_without_a_cyclegan_run_the_page_says_what_to_train():
    line = theory_lines({"runs": {}})[ADAPTATION - 1]
    assert line.evidence == () and line.missing.endswith("train and evaluate a CycleGAN.")
